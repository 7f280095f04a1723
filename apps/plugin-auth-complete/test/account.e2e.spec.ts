import { decodeArgon2id } from '@plystra/session';
import { TEST_PASSWORD, createUser, startPlugin, type PluginTestApp } from './plugin-test-app';

/** The account routes the plugin serves exactly like Core (libs/session's AccountSessionsService). */
describe('password change and own sessions on the plugin (HTTP, real PostgreSQL)', () => {
  let plugin: PluginTestApp;
  beforeAll(async () => {
    plugin = await startPlugin();
  });
  afterAll(() => plugin.close());

  const login = async (email: string, password = TEST_PASSWORD, agent = 'jest') =>
    (await plugin.http.post('/api/v1/auth/login').set('User-Agent', agent).send({ email, password }).expect(200)).body.data;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('changes the password with the current one, ends the other sessions, keeps this one, and audits without secrets', async () => {
    const user = await createUser(plugin.db, 'quinn@example.com');
    const current = await login('quinn@example.com');
    const other = await login('quinn@example.com', TEST_PASSWORD, 'other-device');
    const wrong = await plugin.http.post('/api/v1/auth/password').set(bearer(current.access_token)).send({ current_password: 'not the current one', new_password: 'quinn new passphrase' }).expect(401);
    expect(wrong.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    const weak = await plugin.http.post('/api/v1/auth/password').set(bearer(current.access_token)).send({ current_password: TEST_PASSWORD, new_password: 'short' }).expect(400);
    expect(weak.body.error.code).toBe('VALIDATION_FAILED');
    const res = await plugin.http.post('/api/v1/auth/password').set(bearer(current.access_token)).send({ current_password: TEST_PASSWORD, new_password: 'quinn new passphrase' }).expect(200);
    expect(res.body.data).toEqual({ password_changed: true, password_changed_at: expect.any(String), other_sessions_revoked: 1 });
    const [row] = await plugin.db.dataSource.query(`SELECT password_hash, password_changed_at FROM users WHERE id = $1`, [user.userId]);
    expect(decodeArgon2id(row.password_hash)?.params).toEqual({ memoryKiB: 65536, iterations: 3, parallelism: 2 });
    expect(new Date(row.password_changed_at).toISOString()).toBe(res.body.data.password_changed_at);
    await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: other.refresh_token }).expect(401);
    await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: current.refresh_token }).expect(200);
    await plugin.http.post('/api/v1/auth/login').send({ email: 'quinn@example.com', password: TEST_PASSWORD }).expect(401);
    await login('quinn@example.com', 'quinn new passphrase');
    const audit = await plugin.db.dataSource.query(`SELECT action, trace::text AS trace FROM audit_logs WHERE action LIKE 'auth.password_change%' ORDER BY created_at`);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['auth.password_change.failed', 'auth.password_changed']);
    const text = JSON.stringify(audit) + plugin.logs.join('');
    for (const secret of [TEST_PASSWORD, 'quinn new passphrase', 'not the current one', current.access_token]) expect(text).not.toContain(secret);
  });

  it('refuses a passwordless (email-code) account with 409 PASSWORD_NOT_SET', async () => {
    await createUser(plugin.db, 'rita@example.com', null);
    await plugin.http.post('/api/v1/auth/email-code').send({ email: 'rita@example.com' }).expect(202);
    const session = (await plugin.http.post('/api/v1/auth/email-code/verify').send({ email: 'rita@example.com', code: plugin.lastCode('rita@example.com') }).expect(200)).body.data;
    const res = await plugin.http.post('/api/v1/auth/password').set(bearer(session.access_token)).send({ current_password: '', new_password: 'rita first password' }).expect(409);
    expect(res.body.error.code).toBe('PASSWORD_NOT_SET');
    const [row] = await plugin.db.dataSource.query(`SELECT password_hash FROM users WHERE email = 'rita@example.com'`);
    expect(row.password_hash).toBeNull();
  });

  it('lists the caller\'s sessions and revokes only the caller\'s own', async () => {
    await createUser(plugin.db, 'sam@example.com');
    await createUser(plugin.db, 'tess@example.com');
    const a = await login('sam@example.com', TEST_PASSWORD, 'sam-a');
    const b = await login('sam@example.com', TEST_PASSWORD, 'sam-b');
    await login('tess@example.com', TEST_PASSWORD, 'tess');
    const list = (await plugin.http.get('/api/v1/auth/sessions').set(bearer(a.access_token)).expect(200)).body.data;
    expect(list.map((s: { user_agent: string; current: boolean }) => [s.user_agent, s.current])).toEqual([['sam-b', false], ['sam-a', true]]);
    expect(JSON.stringify(list)).not.toContain(b.access_token);
    const [tess] = await plugin.db.dataSource.query(`SELECT id FROM sessions WHERE user_agent = 'tess'`);
    expect((await plugin.http.post(`/api/v1/auth/sessions/${tess.id}/revoke`).set(bearer(a.access_token)).send({}).expect(404)).body.error.code).toBe('SESSION_NOT_FOUND');
    const [tessAfter] = await plugin.db.dataSource.query(`SELECT revoked_at FROM sessions WHERE id = $1`, [tess.id]);
    expect(tessAfter.revoked_at).toBeNull();
    await plugin.http.post(`/api/v1/auth/sessions/${list[0].id}/revoke`).set(bearer(a.access_token)).send({}).expect(200);
    await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: b.refresh_token }).expect(401);
    expect((await plugin.http.get('/api/v1/auth/sessions').expect(401)).body.error.code).toBe('AUTHENTICATION_REQUIRED');
  });
});

describe('refresh idle timeout on the plugin', () => {
  it('refuses a refresh after PLYSTRA_SESSION_IDLE_TIMEOUT with 401 SESSION_EXPIRED', async () => {
    const plugin = await startPlugin({ env: { PLYSTRA_SESSION_IDLE_TIMEOUT: '30m' } });
    try {
      await createUser(plugin.db, 'uma@example.com');
      const session = (await plugin.http.post('/api/v1/auth/login').send({ email: 'uma@example.com', password: TEST_PASSWORD }).expect(200)).body.data;
      await plugin.db.dataSource.query(`UPDATE sessions SET created_at = now() - interval '31 minutes'`);
      const res = await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: session.refresh_token }).expect(401);
      expect(res.body.error.code).toBe('SESSION_EXPIRED');
    } finally {
      await plugin.close();
    }
  });
});
