import { AccessRegistry } from '../../src/access/access-registry';
import { codeOf, type ManagementTestApp, startManagement } from './management-harness';

const CONTROLLERS = new Set([
  'UsersController', 'SpacesController', 'GroupsController', 'MembersController', 'UserMembersController', 'RolesController',
  'MemberRolesController', 'MemberRoleGrantsController', 'PermissionsController', 'RolePermissionsController', 'RegistryController',
  'ResourcesController',
]);

/** Path parameter values: unknown, NUL, very long, emoji with SQL. */
const BAD_IDS = ['nope', '%00', 'x'.repeat(3000), encodeURIComponent("💥' OR '1'='1")];

/** JSON bodies: `{}` lets status moves reach the lookup of the bad id; no route accepts the others. */
const BAD_BODIES: unknown[] = [
  {},
  [],
  { unknown_field: 1 },
  {
    id: 5, email: 5, name: 5, path: 5, key: 5, display_name: 5, resource_type: 5, member_id: 5, role_id: 5, user_id: 5, permission_id: 5,
    relation_type: 5, resource: 5, action: 5, scope: 5, status: 5, metadata: 'x', reason: 5, revoked_reason: 5,
  },
  { metadata: { client_secret: 'x' }, reason: [] },
  { metadata: JSON.parse(`${'{"a":'.repeat(20)}1${'}'.repeat(20)}`) },
  { status: null, metadata: null, sort_order: 'x', is_primary: 'yes', expires_at: '2020-13-45T00:00:00Z', audit_default: 'no', reason: 'x'.repeat(600) },
];

/** Raw texts sent as application/json. */
const BAD_RAW = ['{', '"text"', 'null', '{"a":1}{"b":2}'];

describe('management API: malformed input never produces a 5xx (HTTP, real PostgreSQL)', () => {
  let core: ManagementTestApp;
  beforeAll(async () => {
    core = await startManagement();
  });
  afterAll(() => core.close());

  it('answers every bad id, body and query on every management route with a 4xx envelope', async () => {
    const routes = core.app.get(AccessRegistry).routes().filter((r) => CONTROLLERS.has(r.handler.split('.')[0]));
    expect(routes.length).toBeGreaterThanOrEqual(60);
    const requests: Array<{ label: string; run: () => Promise<{ status: number; body: any; headers: Record<string, string> }> }> = [];
    for (const route of routes) {
      const params = route.path.match(/:[a-z_]+/g) ?? [];
      const paths = BAD_IDS.map((id) => route.path.replace(/:[a-z_]+/g, id));
      if (params.length > 1 && params[0] === ':space_id') paths.push(route.path.replace(':space_id', 'space_acme').replace(/:[a-z_]+/g, 'nope'));
      if (params.length === 0 || (params.length === 1 && route.path.startsWith('/spaces/:space_id/') && route.method === 'GET')) paths.push(route.path.replace(':space_id', 'space_acme'));
      for (const path of paths) {
        if (route.method === 'GET') {
          for (const query of ['limit=0', 'cursor=%ff%fe', 'unknown_filter=1', 'status=nope&status=again']) {
            requests.push({ label: `GET ${path}?${query}`, run: () => core.admin.get(`${path}?${query}`) });
          }
          continue;
        }
        const send = (body: unknown) => {
          const method = route.method.toLowerCase() as 'post' | 'patch' | 'put' | 'del';
          return route.method === 'DELETE' ? core.admin.del(path) : core.admin[method](path, body);
        };
        if (route.method === 'DELETE') {
          requests.push({ label: `DELETE ${path}`, run: () => send(undefined) });
          continue;
        }
        for (const body of BAD_BODIES) requests.push({ label: `${route.method} ${path} ${JSON.stringify(body).slice(0, 60)}`, run: () => send(body) });
      }
    }
    // Raw malformed JSON on every write route, with known ids so the body is what fails.
    for (const route of routes.filter((r) => r.method !== 'GET' && r.method !== 'DELETE')) {
      const path = `/api/v1${route.path.replace(':space_id', 'space_acme').replace(':key', 'invoice').replace(/:[a-z_]+/g, 'nope')}`;
      for (const raw of BAD_RAW) {
        const method = route.method.toLowerCase() as 'post' | 'patch' | 'put';
        requests.push({
          label: `${route.method} ${path} raw ${raw}`,
          run: () => core.http[method](path).set(core.admin.headers).set('Content-Type', 'application/json').send(raw),
        });
      }
    }

    const failures: string[] = [];
    for (let i = 0; i < requests.length; i += 16) {
      const batch = requests.slice(i, i + 16);
      const answers = await Promise.all(batch.map((r) => r.run()));
      answers.forEach((res, j) => {
        const ok = res.status >= 400 && res.status < 500 && typeof res.body?.error?.code === 'string' && res.headers['x-plystra-error-code'] === res.body.error.code;
        if (!ok) failures.push(`${batch[j].label} -> ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      });
    }
    expect(failures).toEqual([]);
    console.log(`malformed-input sweep: ${requests.length} requests over ${routes.length} routes, none answered 5xx`);
    expect(requests.length).toBeGreaterThan(1500);
    const [{ n }] = await core.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE resource_id LIKE 'nope%' OR action LIKE '%.created'`);
    expect(n).toBe(0);
  });

  it('answers a wrong method with 405 and an unknown sub-route with 404, in the envelope', async () => {
    const wrong = await core.admin.del('/users/user_bob').expect(405);
    expect(codeOf(wrong)).toBe('METHOD_NOT_ALLOWED');
    expect(codeOf(await core.admin.get('/spaces/space_acme/groups/group_finance/children').expect(404))).toBe('NOT_FOUND');
  });
});
