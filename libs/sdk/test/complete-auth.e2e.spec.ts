import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { TEST_SESSION_SECRET, startCore, type CoreTestApp } from '../../../apps/core/test/core-test-app';
import { TEST_PASSWORD, startPlugin, tokenOf, type PluginTestApp } from '../../../apps/plugin-auth-complete/test/plugin-test-app';
import { PlystraApiError, PlystraAuthError, PlystraClient, PlystraValidationError, type PlystraTokens } from '../src';
import { ALICE, aliceActor, recordingFetch } from './sdk-test-kit';

/**
 * The plugin's flows through the SDK, with Core and the plugin on one database (as deployed):
 * a session minted by the plugin is stored in the client and used (and refreshed) on Core.
 */
describe('completeAuth: the plugin flows (real HTTP, real PostgreSQL)', () => {
  let db: TestDatabase;
  let core: CoreTestApp;
  let plugin: PluginTestApp;
  let coreUrl: string;
  let pluginUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    core = await startCore({ db, seed: true });
    await core.app.listen(0, '127.0.0.1');
    coreUrl = `http://127.0.0.1:${(core.app.getHttpServer().address() as AddressInfo).port}`;
    plugin = await startPlugin({ db, env: { PLYSTRA_SESSION_SECRET: TEST_SESSION_SECRET }, settings: { server_public_url: 'https://auth.example.com' } });
    pluginUrl = await plugin.listen();
  });
  afterAll(async () => {
    await plugin?.app.close();
    await core?.app.close();
    await db?.drop();
  });
  beforeEach(async () => {
    await db.dataSource.query(`DELETE FROM auth_rate_limits`);
    await plugin.setSettings({ public_registration_enabled: false });
  });

  function client() {
    const changes: Array<PlystraTokens | null> = [];
    const recorder = recordingFetch();
    const c = new PlystraClient({ baseUrl: coreUrl, completeAuthBaseUrl: pluginUrl, fetch: recorder.fetch, onTokenChange: (t) => void changes.push(t) });
    return { c, changes, calls: recorder.calls };
  }

  it('password login on the plugin stores the session; Core accepts it through the same client', async () => {
    const { c, changes, calls } = client();
    const bundle = await c.completeAuth.login(ALICE);
    expect(bundle.actor).toEqual(aliceActor);
    expect(changes).toEqual([expect.objectContaining({ accessToken: bundle.access_token, refreshToken: bundle.refresh_token })]);
    expect((await c.actor.context()).actor).toEqual(aliceActor);
    // The login went to the plugin, the context to Core.
    expect(calls.map((call) => `${call.origin}${call.path} ${call.status}`)).toEqual([`${pluginUrl}/api/v1/auth/login 200`, `${coreUrl}/api/v1/actor/context 200`]);
    const [loginRow] = await db.dataSource.query(`SELECT action FROM audit_logs WHERE actor_user_id = 'user_alice' AND action = 'auth.login.succeeded'`);
    expect(loginRow).toBeDefined();

    const wrong = await c.completeAuth.login({ email: ALICE.email, password: 'wrong-password-123' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(PlystraAuthError);
    expect((wrong as PlystraApiError).code).toBe('AUTHENTICATION_REQUIRED');
    expect(c.tokens()?.accessToken).toBe(bundle.access_token); // a failed login keeps the session
  });

  it('email code: send (202, same answer), verify signs in and sets email_verified_at; a wrong code is a PlystraAuthError', async () => {
    const { c, changes } = client();
    const sent = await c.completeAuth.emailCode({ email: 'Alice@Example.com' });
    expect(sent).toEqual({ accepted: true, expires_at: expect.any(String), delivery_method: 'email_code', email_delivery_mode: 'log' });
    const unknown = await c.completeAuth.emailCode({ email: 'nobody@example.com' });
    expect(Object.keys(unknown).sort()).toEqual(Object.keys(sent).sort());

    const code = plugin.lastCode('alice@example.com');
    const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await c.completeAuth.verifyEmailCode({ email: 'alice@example.com', code: wrongCode }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(PlystraAuthError);
    expect(changes).toEqual([]);

    const bundle = await c.completeAuth.verifyEmailCode({ email: 'alice@example.com', code });
    expect(bundle).toMatchObject({ verified: true, actor: aliceActor });
    expect(changes).toEqual([expect.objectContaining({ accessToken: bundle.access_token })]);
    const [user] = await db.dataSource.query(`SELECT email_verified_at FROM users WHERE id = 'user_alice'`);
    expect(user.email_verified_at).toBeInstanceOf(Date);
    expect((await c.actor.context()).actor).toEqual(aliceActor);
  });

  it('magic link: send, consume the emailed token (once), then the session works on Core', async () => {
    const { c, changes } = client();
    const sent = await c.completeAuth.magicLink({ email: 'bob@example.com' });
    expect(sent).toMatchObject({ accepted: true, delivery_method: 'magic_link' });
    const token = tokenOf(plugin.lastLink('bob@example.com'));
    const bundle = await c.completeAuth.consumeMagicLink(token);
    expect(bundle.user).toMatchObject({ id: 'user_bob', email: 'bob@example.com' });
    expect(changes).toHaveLength(1);
    expect((await c.actor.context()).actor.user_id).toBe('user_bob');
    const again = await c.completeAuth.consumeMagicLink({ token }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(PlystraAuthError);
    expect(changes).toHaveLength(1);
  });

  it('public registration signs in; a duplicate is a 409 PlystraValidationError; disabled is 403', async () => {
    const { c, changes } = client();
    const disabled = await c.completeAuth.register({ email: 'dana@example.com', password: TEST_PASSWORD }).catch((e: unknown) => e);
    expect(disabled).toMatchObject({ status: 403, code: 'REGISTRATION_DISABLED' });

    await plugin.setSettings({ public_registration_enabled: true });
    const bundle = await c.completeAuth.register({ email: 'dana@example.com', password: TEST_PASSWORD, member_display_name: 'Dana' });
    expect(bundle.actor.space_id).toBe('space_default');
    expect(changes).toEqual([expect.objectContaining({ accessToken: bundle.access_token })]);
    expect((await c.actor.context()).available_members[0]).toMatchObject({ member_display_name: 'Dana', user_email: 'dana@example.com' });

    const duplicate = await c.completeAuth.register({ email: 'dana@example.com', password: TEST_PASSWORD }).catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(PlystraValidationError);
    expect((duplicate as PlystraApiError).status).toBe(409);
    const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM users WHERE email = 'dana@example.com'`);
    expect(count).toBe(1);
  });

  it('a plugin session that expired is refreshed automatically on Core', async () => {
    const { c, changes, calls } = client();
    await c.completeAuth.login(ALICE);
    const { session_id } = await c.actor.context();
    await db.dataSource.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [session_id]);
    expect((await c.actor.context()).session_id).toBe(session_id);
    expect(calls.slice(2).map((call) => `${call.origin}${call.path} ${call.status}`)).toEqual([
      `${coreUrl}/api/v1/actor/context 401`, `${coreUrl}/api/v1/auth/refresh 200`, `${coreUrl}/api/v1/actor/context 200`,
    ]);
    expect(changes).toHaveLength(2);
  });

  it('health of the plugin', async () => {
    const { c } = client();
    const health = await c.completeAuth.health();
    expect(health.checks.database.ok).toBe(true);
    expect(['ok', 'degraded']).toContain(health.status);
  });
});
