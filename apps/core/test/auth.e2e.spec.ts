import { startCore, type CoreTestApp } from './core-test-app';

const alice = { email: 'alice@example.com', password: 'plystra-demo' };

describe('Core sign-in (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  beforeAll(async () => {
    core = await startCore({ env: { PLYSTRA_REFRESH_REUSE_GRACE: '1s' } });
  });
  afterAll(() => core.close());

  it('logs alice in with the login bundle of core.md §6', async () => {
    const res = await core.http.post('/api/v1/auth/login').send(alice).expect(200);
    const data = res.body.data;
    expect(res.body.request_id).toMatch(/^req_[0-9a-f]{16}$/);
    expect(res.body.meta).toEqual({ request_id: res.body.request_id });
    expect(data.access_token).toMatch(/^ply_at_[0-9a-f]{64}$/);
    expect(data.refresh_token).toMatch(/^ply_rt_[0-9a-f]{64}$/);
    expect(data.token_type).toBe('Bearer');
    expect(new Date(data.expires_at).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(new Date(data.refresh_expires_at).getTime() - Date.now()).toBeGreaterThan(29 * 86400_000);
    expect(data.user).toEqual({ id: 'user_alice', email: 'alice@example.com', status: 'active' });
    expect(data.actor).toEqual({ user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' });
    expect(data.available_members).toEqual([
      {
        user_member_id: 'um_alice_finance_reviewer', user_id: 'user_alice', user_email: 'alice@example.com', member_id: 'member_finance_reviewer',
        member_display_name: 'Finance Reviewer', space_id: 'space_acme', space_name: 'Acme', relation_type: 'delegate', is_primary: true,
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('password_hash');
    const [{ last_login_at: lastLogin }] = await core.db.dataSource.query(`SELECT last_login_at FROM users WHERE id = 'user_alice'`);
    expect(Math.abs(new Date(lastLogin).getTime() - Date.now())).toBeLessThan(60_000);
    const context = await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${data.access_token}`).expect(200);
    expect(context.body.data.actor.user_member_id).toBe('um_alice_finance_reviewer');
    expect(context.body.data.session_id).toMatch(/^sess_[0-9a-f]{64}$/);
  });

  it('tells concurrent bearers apart: each request is its own user, an unknown token is refused alone', async () => {
    const tokenOf = async (email: string) =>
      (await core.http.post('/api/v1/auth/login').send({ email, password: alice.password }).expect(200)).body.data.access_token as string;
    const tokens = [await tokenOf('alice@example.com'), await tokenOf('bob@example.com'), `ply_at_${'0'.repeat(64)}`];
    const expected = ['user_alice', 'user_bob', 401];
    // Concurrent bearer lookups travel together in one statement; every answer must still be its own.
    const answers = await Promise.all(Array.from({ length: 45 }, (_, i) => core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${tokens[i % 3]}`)));
    answers.forEach((res, i) => expect(res.status === 200 ? res.body.data.actor.user_id : res.status).toBe(expected[i % 3]));
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const wrong = await core.http.post('/api/v1/auth/login').set('X-Forwarded-For', '1.1.1.1').send({ ...alice, password: 'wrong-password-123' }).expect(401);
    const unknown = await core.http.post('/api/v1/auth/login').send({ email: 'nobody@example.com', password: 'wrong-password-123' }).expect(401);
    expect(wrong.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    expect(wrong.headers['x-plystra-error-code']).toBe('AUTHENTICATION_REQUIRED');
    expect(unknown.body.error.code).toBe(wrong.body.error.code);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('rotates both tokens on refresh; the old access token dies at once', async () => {
    const login = (await core.http.post('/api/v1/auth/login').send(alice).expect(200)).body.data;
    const refreshed = (await core.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(200)).body.data;
    expect(refreshed.access_token).not.toBe(login.access_token);
    expect(refreshed.refresh_token).not.toBe(login.refresh_token);
    expect(refreshed.refresh_expires_at).toBe(login.refresh_expires_at);
    await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${login.access_token}`).expect(401);
    await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${refreshed.access_token}`).expect(200);
  });

  it('refuses an old refresh token inside the grace window without harm, and revokes the session after it', async () => {
    const login = (await core.http.post('/api/v1/auth/login').send(alice).expect(200)).body.data;
    const refreshed = (await core.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(200)).body.data;
    const reuse = await core.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(401);
    expect(reuse.body.error.code).toBe('SESSION_EXPIRED');
    await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${refreshed.access_token}`).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await core.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(401);
    await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${refreshed.access_token}`).expect(401);
    await core.http.post('/api/v1/auth/refresh').send({ refresh_token: refreshed.refresh_token }).expect(401);
    const rows = await core.db.dataSource.query(`SELECT actor_user_id, decision FROM audit_logs WHERE action = 'auth.refresh.reuse_detected'`);
    expect(rows).toEqual([{ actor_user_id: 'user_alice', decision: 'deny' }]);
  });

  it('always answers logout with 200 and kills the tokens', async () => {
    const login = (await core.http.post('/api/v1/auth/login').send(alice).expect(200)).body.data;
    const out = await core.http.post('/api/v1/auth/logout').set('Authorization', `Bearer ${login.access_token}`).send({}).expect(200);
    expect(out.body.data).toEqual({ logged_out: true });
    await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${login.access_token}`).expect(401);
    await core.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(401);
    await core.http.post('/api/v1/auth/logout').send({}).expect(200);
    await core.http.post('/api/v1/auth/logout').send({ refresh_token: 'ply_rt_nonsense' }).expect(200);
    const second = (await core.http.post('/api/v1/auth/login').send(alice).expect(200)).body.data;
    await core.http.post('/api/v1/auth/logout').send({ refresh_token: second.refresh_token }).expect(200);
    await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${second.access_token}`).expect(401);
  });

  it('switches the actor only to one of the user’s usable bindings', async () => {
    const login = (await core.http.post('/api/v1/auth/login').send(alice).expect(200)).body.data;
    const auth = { Authorization: `Bearer ${login.access_token}` };
    const denied = await core.http.post('/api/v1/actor/switch-member').set(auth).send({ user_member_id: 'um_alice_finance_reviewer_revoked' }).expect(403);
    expect(denied.body.error.code).toBe('ACTIVE_MEMBER_REQUIRED');
    await core.http.post('/api/v1/actor/switch-member').set(auth).send({ user_member_id: 'um_bob_finance_reviewer' }).expect(403);
    const ok = await core.http.post('/api/v1/actor/switch-member').set(auth).send({ member_id: 'member_finance_reviewer' }).expect(200);
    expect(ok.body.data.actor.user_member_id).toBe('um_alice_finance_reviewer');
  });

  it('requires a bearer for the actor context', async () => {
    const res = await core.http.get('/api/v1/actor/context').expect(401);
    expect(res.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    await core.http.get('/api/v1/actor/context').set('Authorization', 'Bearer ply_at_' + '0'.repeat(64)).expect(401);
  });

  it('keeps secrets out of the logs', async () => {
    const login = (await core.http.post('/api/v1/auth/login').send(alice).expect(200)).body.data;
    await core.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(200);
    const all = core.logs.join('');
    expect(all).toContain('"path":"/api/v1/auth/login"');
    for (const secret of [alice.password, login.access_token, login.refresh_token]) expect(all).not.toContain(secret);
  });
});

describe('login lockout', () => {
  it('locks after 8 failures with 429 and Retry-After, and the lock survives a restart', async () => {
    const first = await startCore();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await first.http.post('/api/v1/auth/login').send({ ...alice, password: `wrong-${i}-password` })).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 429]);
      const locked = await first.http.post('/api/v1/auth/login').send(alice).expect(429);
      expect(locked.body.error.code).toBe('AUTH_RATE_LIMITED');
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
      expect(locked.body.error.details.retry_after_seconds).toBe(Number(locked.headers['retry-after']));
      await first.app.close();
      const restarted = await startCore({ db: first.db, seed: false });
      try {
        await restarted.http.post('/api/v1/auth/login').send(alice).expect(429);
      } finally {
        await restarted.app.close();
      }
    } finally {
      await first.db.drop();
    }
  });

  it('clears the (email, IP) and email counters on success, not the IP ceiling', async () => {
    const core = await startCore();
    try {
      const login = (password: string) => core.http.post('/api/v1/auth/login').set('X-Forwarded-For', '203.0.113.7').send({ ...alice, password });
      const counters = async () =>
        (await core.db.dataSource.query(`SELECT key, points FROM auth_rate_limits ORDER BY key`)).map((r: { key: string; points: number }) => `${r.key.split(':')[1]} ${r.points}`);
      for (let i = 0; i < 7; i++) await login(`wrong-${i}-password`).expect(401);
      expect(await counters()).toEqual(['email 7', 'ip 7', 'pair 7']);
      await login(alice.password).expect(200);
      expect(await counters()).toEqual(['ip 7']);
      // Seven more failures would have locked the pair (limit 8) had the success not cleared it.
      for (let i = 0; i < 7; i++) await login(`wrong-again-${i}`).expect(401);
      expect(await counters()).toEqual(['email 7', 'ip 14', 'pair 7']);
    } finally {
      await core.close();
    }
  });
});
