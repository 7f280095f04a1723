import { PasswordHasher, SessionService, decodeArgon2id, provisionDefaultSpaceAccount } from '@plystra/session';
import { startCore, type CoreTestApp } from './core-test-app';

const passwords = new PasswordHasher();

/** A user bound in space_default, signed in with a password (or without one: passwordless). */
async function account(core: CoreTestApp, email: string, password: string | null) {
  const passwordHash = password ? await passwords.hash(password) : null;
  return core.db.dataSource.transaction((manager) => provisionDefaultSpaceAccount(manager, { email, passwordHash }));
}

describe('self-service password change and own sessions (Core, real PostgreSQL)', () => {
  let core: CoreTestApp;
  beforeAll(async () => {
    core = await startCore({ seed: false });
  });
  afterAll(() => core.close());

  const login = async (email: string, password: string, agent = 'jest') =>
    (await core.http.post('/api/v1/auth/login').set('User-Agent', agent).send({ email, password }).expect(200)).body.data;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('changes the password with the current one: Argon2id, password_changed_at, other sessions end, this one stays, audited without secrets', async () => {
    const { userId } = await account(core, 'changer@example.com', 'the first password');
    const [before] = await core.db.dataSource.query(`SELECT password_changed_at FROM users WHERE id = $1`, [userId]);
    const current = await login('changer@example.com', 'the first password');
    const other = await login('changer@example.com', 'the first password', 'other-device');
    const res = await core.http.post('/api/v1/auth/password').set(bearer(current.access_token)).send({ current_password: 'the first password', new_password: 'a brand new passphrase' }).expect(200);
    expect(res.body.data).toEqual({ password_changed: true, password_changed_at: expect.any(String), other_sessions_revoked: 1 });
    const [user] = await core.db.dataSource.query(`SELECT password_hash, password_changed_at FROM users WHERE id = $1`, [userId]);
    expect(decodeArgon2id(user.password_hash)?.params).toEqual({ memoryKiB: 65536, iterations: 3, parallelism: 2 });
    expect(user.password_hash).toMatch(/^argon2id\$v=19\$m=65536,t=3,p=2\$/);
    expect(new Date(user.password_changed_at).getTime()).toBeGreaterThan(new Date(before.password_changed_at).getTime());
    expect(new Date(user.password_changed_at).toISOString()).toBe(res.body.data.password_changed_at);
    // This session stays; the other one is gone (access and refresh).
    await core.http.get('/api/v1/actor/context').set(bearer(current.access_token)).expect(200);
    await core.http.get('/api/v1/actor/context').set(bearer(other.access_token)).expect(401);
    expect((await core.http.post('/api/v1/auth/refresh').send({ refresh_token: other.refresh_token }).expect(401)).body.error.code).toBe('SESSION_EXPIRED');
    const reasons = await core.db.dataSource.query(`SELECT user_agent, revoked_reason FROM sessions WHERE user_id = $1 ORDER BY user_agent`, [userId]);
    expect(reasons).toEqual([{ user_agent: 'jest', revoked_reason: null }, { user_agent: 'other-device', revoked_reason: 'password_changed' }]);
    // The old password no longer signs in; the new one does.
    expect((await core.http.post('/api/v1/auth/login').send({ email: 'changer@example.com', password: 'the first password' }).expect(401)).body.error.code).toBe('AUTHENTICATION_REQUIRED');
    await login('changer@example.com', 'a brand new passphrase');
    const audit = await core.db.dataSource.query(`SELECT action, decision, actor_user_id, trace::text AS trace FROM audit_logs WHERE action = 'auth.password_changed'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ decision: 'allow', actor_user_id: userId });
    for (const secret of ['the first password', 'a brand new passphrase', user.password_hash, current.access_token]) expect(audit[0].trace).not.toContain(secret);
    const logs = core.logs.join('');
    for (const secret of ['the first password', 'a brand new passphrase', current.access_token]) expect(logs).not.toContain(secret);
  });

  it('refuses a wrong current password with 401 AUTHENTICATION_REQUIRED, counted towards the login throttle', async () => {
    await account(core, 'guessed@example.com', 'the real password');
    const session = await login('guessed@example.com', 'the real password');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await core.http.post('/api/v1/auth/password').set(bearer(session.access_token)).send({ current_password: `wrong guess ${i}`, new_password: 'another long password' });
      statuses.push(res.status);
      if (i === 0) expect(res.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 429]);
    // The same (email, IP) lock now refuses a login with the right password, and a right current password.
    expect((await core.http.post('/api/v1/auth/login').send({ email: 'guessed@example.com', password: 'the real password' }).expect(429)).body.error.code).toBe('AUTH_RATE_LIMITED');
    await core.http.post('/api/v1/auth/password').set(bearer(session.access_token)).send({ current_password: 'the real password', new_password: 'another long password' }).expect(429);
    const failed = await core.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action IN ('auth.password_change.failed', 'auth.password_change.locked') AND decision = 'deny'`);
    expect(failed[0].n).toBe(9);
    const audit = JSON.stringify(await core.db.dataSource.query(`SELECT trace FROM audit_logs`));
    expect(audit).not.toContain('wrong guess');
  });

  it('of 4 concurrent changes with the right current password, exactly one wins; the others change nothing', async () => {
    const { userId } = await account(core, 'racer@example.com', 'the racer password');
    const session = await login('racer@example.com', 'the racer password');
    const answers = await Promise.all(
      [0, 1, 2, 3].map((i) => core.http.post('/api/v1/auth/password').set(bearer(session.access_token)).send({ current_password: 'the racer password', new_password: `racer new password ${i}` })),
    );
    const winners = answers.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect([[409, 'CONFLICT'], [401, 'AUTHENTICATION_REQUIRED']]).toContainEqual([a.status, a.body.error.code]);
    const winner = answers.indexOf(winners[0]);
    await login('racer@example.com', `racer new password ${winner}`);
    const audit = await core.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'auth.password_changed' AND actor_user_id = $1`, [userId]);
    expect(audit[0].n).toBe(1);
  });

  it('applies the registration policy to the new password, and requires a bearer and a strict body', async () => {
    await account(core, 'policy@example.com', 'the policy password');
    const session = await login('policy@example.com', 'the policy password');
    const short = await core.http.post('/api/v1/auth/password').set(bearer(session.access_token)).send({ current_password: 'the policy password', new_password: 'short' }).expect(400);
    expect(short.body.error.code).toBe('VALIDATION_FAILED');
    expect(short.body.error.details.fields).toEqual([{ field: 'new_password', message: 'password must be at least 12 characters' }]);
    await core.http.post('/api/v1/auth/password').set(bearer(session.access_token)).send({ current_password: 'the policy password', new_password: 'é'.repeat(513) }).expect(400);
    await core.http.post('/api/v1/auth/password').set(bearer(session.access_token)).send({ current_password: 'the policy password', new_password: 'long enough pass', extra: 1 }).expect(400);
    await core.http.post('/api/v1/auth/password').set(bearer(session.access_token)).send({ current_password: 'the policy password' }).expect(400);
    expect((await core.http.post('/api/v1/auth/password').send({ current_password: 'the policy password', new_password: 'long enough pass' }).expect(401)).body.error.code).toBe('AUTHENTICATION_REQUIRED');
    await core.http.post('/api/v1/auth/password').set(bearer(session.refresh_token)).send({ current_password: 'the policy password', new_password: 'long enough pass' }).expect(401);
    // Nothing changed: the old password still signs in.
    await login('policy@example.com', 'the policy password');
  });

  it('refuses a passwordless account with 409 PASSWORD_NOT_SET and sets nothing', async () => {
    const { userId } = await account(core, 'passwordless@example.com', null);
    const tokens = await core.app.get(SessionService).create(userId, null, { ip: null, userAgent: null });
    const res = await core.http.post('/api/v1/auth/password').set(bearer(tokens.access_token)).send({ current_password: '', new_password: 'a first password here' }).expect(409);
    expect(res.body.error.code).toBe('PASSWORD_NOT_SET');
    const [user] = await core.db.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [userId]);
    expect(user.password_hash).toBeNull();
  });

  it('lists the caller\'s active sessions (never a token) and revokes one of them; another user\'s id is 404', async () => {
    await account(core, 'lister@example.com', 'the lister password');
    await account(core, 'stranger@example.com', 'the stranger password');
    const a = await login('lister@example.com', 'the lister password', 'device-a');
    const b = await login('lister@example.com', 'the lister password', 'device-b');
    const ended = await login('lister@example.com', 'the lister password', 'device-c');
    await core.http.post('/api/v1/auth/logout').set(bearer(ended.access_token)).send({}).expect(200);
    const stranger = await login('stranger@example.com', 'the stranger password');
    const res = await core.http.get('/api/v1/auth/sessions').set(bearer(a.access_token)).expect(200);
    const list = res.body.data as Array<Record<string, unknown>>;
    expect(list.map((s) => s.user_agent)).toEqual(['device-b', 'device-a']);
    expect(Object.keys(list[0]).sort()).toEqual(['created_at', 'current', 'expires_at', 'id', 'ip', 'refresh_expires_at', 'refreshed_at', 'user_agent']);
    expect(list.map((s) => s.current)).toEqual([false, true]);
    for (const s of list) expect(s.id).toMatch(/^sess_[0-9a-f]{64}$/);
    const text = JSON.stringify(res.body);
    for (const t of [a.access_token, a.refresh_token, b.access_token, b.refresh_token]) expect(text).not.toContain(t);
    const bId = list[0].id as string;
    // Someone else's session, a revoked one, an unknown or malformed id: 404, and nothing changes.
    const [strangerSession] = await core.db.dataSource.query(`SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'stranger@example.com'`);
    const [endedSession] = await core.db.dataSource.query(`SELECT id FROM sessions WHERE user_agent = 'device-c'`);
    for (const id of [strangerSession.id, endedSession.id, `sess_${'0'.repeat(64)}`, 'nonsense', '%00', 'x'.repeat(600)]) {
      const refused = await core.http.post(`/api/v1/auth/sessions/${id}/revoke`).set(bearer(a.access_token)).send({}).expect(404);
      expect(refused.body.error.code).toBe('SESSION_NOT_FOUND');
    }
    await core.http.get('/api/v1/actor/context').set(bearer(stranger.access_token)).expect(200);
    const ok = await core.http.post(`/api/v1/auth/sessions/${bId}/revoke`).set(bearer(a.access_token)).send({}).expect(200);
    expect(ok.body.data).toEqual({ revoked: true, session_id: bId, current: false });
    await core.http.get('/api/v1/actor/context').set(bearer(b.access_token)).expect(401);
    await core.http.post('/api/v1/auth/refresh').send({ refresh_token: b.refresh_token }).expect(401);
    await core.http.post(`/api/v1/auth/sessions/${bId}/revoke`).set(bearer(a.access_token)).send({}).expect(404);
    const after = (await core.http.get('/api/v1/auth/sessions').set(bearer(a.access_token)).expect(200)).body.data;
    expect(after.map((s: { user_agent: string }) => s.user_agent)).toEqual(['device-a']);
    const audit = await core.db.dataSource.query(`SELECT resource_type, resource_id FROM audit_logs WHERE action = 'auth.session.revoked'`);
    expect(audit).toEqual([{ resource_type: 'session', resource_id: bId }]);
    expect((await core.http.get('/api/v1/auth/sessions').expect(401)).body.error.code).toBe('AUTHENTICATION_REQUIRED');
    await core.http.post(`/api/v1/auth/sessions/${bId}/revoke`).send({}).expect(401);
  });

  it('tells an expired access token to refresh (SESSION_EXPIRED) on the account routes', async () => {
    await account(core, 'expired@example.com', 'the expired password');
    const session = await login('expired@example.com', 'the expired password');
    await core.db.dataSource.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_agent = 'jest' AND user_id = (SELECT id FROM users WHERE email = 'expired@example.com')`);
    expect((await core.http.get('/api/v1/auth/sessions').set(bearer(session.access_token)).expect(401)).body.error.code).toBe('SESSION_EXPIRED');
  });
});

describe('refresh idle timeout (PLYSTRA_SESSION_IDLE_TIMEOUT)', () => {
  it('is off by default: a session idle for a day still refreshes within its 30 days', async () => {
    const core = await startCore({ seed: false });
    try {
      await account(core, 'idle-off@example.com', 'the idle password');
      const session = (await core.http.post('/api/v1/auth/login').send({ email: 'idle-off@example.com', password: 'the idle password' }).expect(200)).body.data;
      await core.db.dataSource.query(`UPDATE sessions SET created_at = now() - interval '1 day'`);
      await core.http.post('/api/v1/auth/refresh').send({ refresh_token: session.refresh_token }).expect(200);
    } finally {
      await core.close();
    }
  });

  it('set to 30m: a refresh 31 minutes after the last refresh gets 401 SESSION_EXPIRED and ends the session; 29 minutes still refreshes', async () => {
    const core = await startCore({ seed: false, env: { PLYSTRA_SESSION_IDLE_TIMEOUT: '30m' } });
    try {
      await account(core, 'idle@example.com', 'the idle password');
      const log = () => core.http.post('/api/v1/auth/login').send({ email: 'idle@example.com', password: 'the idle password' }).expect(200);
      const active = (await log()).body.data;
      const idle = (await log()).body.data;
      const refreshed = (await core.http.post('/api/v1/auth/refresh').send({ refresh_token: active.refresh_token }).expect(200)).body.data;
      // Sessions: `active` refreshed 29 minutes ago (created long before), `idle` created 31 minutes ago.
      await core.db.dataSource.query(`UPDATE sessions SET created_at = now() - interval '3 hours', refreshed_at = now() - interval '29 minutes' WHERE refreshed_at IS NOT NULL`);
      await core.db.dataSource.query(`UPDATE sessions SET created_at = now() - interval '31 minutes' WHERE refreshed_at IS NULL`);
      const refused = await core.http.post('/api/v1/auth/refresh').send({ refresh_token: idle.refresh_token }).expect(401);
      expect(refused.body.error.code).toBe('SESSION_EXPIRED');
      await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${idle.access_token}`).expect(401);
      const [row] = await core.db.dataSource.query(`SELECT revoked_reason FROM sessions WHERE refreshed_at IS NULL`);
      expect(row.revoked_reason).toBe('idle_timeout');
      await core.http.post('/api/v1/auth/refresh').send({ refresh_token: refreshed.refresh_token }).expect(200);
    } finally {
      await core.close();
    }
  });
});
