import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
// Both services share the database; Core's own harness starts it on ours.
import { TEST_SESSION_SECRET, startCore, type CoreTestApp } from '../../core/test/core-test-app';
import { startPlugin, tokenOf, type PluginTestApp } from './plugin-test-app';

const alice = { email: 'alice@example.com', password: 'plystra-demo' };

describe('sessions cross between Core and the plugin (one database)', () => {
  let db: TestDatabase;
  let core: CoreTestApp;
  let plugin: PluginTestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    core = await startCore({ db, seed: true });
    plugin = await startPlugin({ db, env: { PLYSTRA_SESSION_SECRET: TEST_SESSION_SECRET }, settings: { server_public_url: 'https://auth.example.com' } });
  });
  afterAll(async () => {
    await plugin?.app.close();
    await core?.app.close();
    await db?.drop();
  });
  beforeEach(() => db.dataSource.query(`DELETE FROM auth_rate_limits`));

  const context = (token: string) => core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${token}`);

  /** Core accepts the plugin's session, refreshes it, and the plugin's logout kills it. */
  async function roundTrip(bundle: { access_token: string; refresh_token: string }) {
    const ctx = await context(bundle.access_token).expect(200);
    expect(ctx.body.data.actor).toEqual({ user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' });
    const refreshed = (await core.http.post('/api/v1/auth/refresh').send({ refresh_token: bundle.refresh_token }).expect(200)).body.data;
    await context(bundle.access_token).expect(401);
    await context(refreshed.access_token).expect(200);
    await plugin.http.post('/api/v1/auth/logout').set('Authorization', `Bearer ${refreshed.access_token}`).send({}).expect(200);
    await context(refreshed.access_token).expect(401);
    await core.http.post('/api/v1/auth/refresh').send({ refresh_token: refreshed.refresh_token }).expect(401);
  }

  it('password login on the plugin → Core context, Core refresh, plugin logout', async () => {
    const bundle = (await plugin.http.post('/api/v1/auth/login').send(alice).expect(200)).body.data;
    await roundTrip(bundle);
  });

  it('email-code verify on the plugin → Core context, Core refresh, plugin logout', async () => {
    await plugin.http.post('/api/v1/auth/email-code').send({ email: alice.email }).expect(202);
    const bundle = (await plugin.http.post('/api/v1/auth/email-code/verify').send({ email: alice.email, code: plugin.lastCode(alice.email) }).expect(200)).body.data;
    await roundTrip(bundle);
  });

  it('magic-link consume on the plugin → Core context, Core refresh, plugin logout', async () => {
    await plugin.http.post('/api/v1/auth/magic-link').send({ email: alice.email }).expect(202);
    const bundle = (await plugin.http.post('/api/v1/auth/magic-link/consume').send({ token: tokenOf(plugin.lastLink(alice.email)) }).expect(200)).body.data;
    await roundTrip(bundle);
  });

  it('a Core session is refreshed by the plugin and logged out by either', async () => {
    const login = (await core.http.post('/api/v1/auth/login').send(alice).expect(200)).body.data;
    const refreshed = (await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(200)).body.data;
    await context(login.access_token).expect(401);
    await context(refreshed.access_token).expect(200);
    await plugin.http.post('/api/v1/auth/logout').send({ refresh_token: refreshed.refresh_token }).expect(200);
    await context(refreshed.access_token).expect(401);
    const second = (await core.http.post('/api/v1/auth/login').send(alice).expect(200)).body.data;
    await plugin.http.post('/api/v1/auth/logout').set('Authorization', `Bearer ${second.access_token}`).send({}).expect(200);
    await context(second.access_token).expect(401);
  });

  it('shares the login lock: failures on Core and on the plugin count together', async () => {
    for (let i = 0; i < 7; i++) await core.http.post('/api/v1/auth/login').send({ ...alice, password: `wrong-${i}-password` }).expect(401);
    await plugin.http.post('/api/v1/auth/login').send({ ...alice, password: 'wrong-7-password' }).expect(429);
    await core.http.post('/api/v1/auth/login').send(alice).expect(429);
    await plugin.http.post('/api/v1/auth/login').send(alice).expect(429);
  });
});
