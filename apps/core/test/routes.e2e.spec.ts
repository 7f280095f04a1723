import { AccessRegistry } from '../src/access/access-registry';
import { startCore, type CoreTestApp } from './core-test-app';

/** Routes reachable without a credential. Adding one here is a deliberate, reviewed decision. */
const PUBLIC_ROUTES = [
  'GET /admin/me',
  'GET /actor/context',
  // The signed-in user's own account (session bearer required by SessionAuthGuard, like /actor/*).
  'GET /auth/sessions',
  'GET /health',
  'GET /metrics',
  'GET /ready',
  'GET /version',
  'POST /actor/switch-member',
  'POST /auth/login',
  'POST /auth/logout',
  'POST /auth/password',
  'POST /auth/sessions/:session_id/revoke',
  'POST /auth/refresh',
  'POST /auth/register',
];

describe('route access declarations', () => {
  let core: CoreTestApp;
  beforeAll(async () => {
    core = await startCore({ seed: false });
  });
  afterAll(() => core.close());

  it('lists every route with the permission it needs, and only the known ones are public', () => {
    const routes = core.app.get(AccessRegistry).routes();
    console.log(`route permissions:\n${routes.map((r) => `  ${r.method.padEnd(6)} ${r.path.padEnd(60)} ${r.access}`).join('\n')}`);
    expect(routes.every((r) => r.access !== '')).toBe(true);
    const publicRoutes = routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`).sort();
    expect(publicRoutes).toEqual([...PUBLIC_ROUTES].sort());
    for (const route of routes.filter((r) => r.access !== 'public')) expect(route.access).toMatch(/^[a-z0-9_-]+:([a-z0-9_-]+|\*)$/);
  });
});
