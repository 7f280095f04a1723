import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { TEST_PASSWORD, createUser, startPlugin, type PluginTestApp } from './plugin-test-app';

describe('password login, refresh and logout (HTTP, real PostgreSQL)', () => {
  let plugin: PluginTestApp;
  beforeAll(async () => {
    plugin = await startPlugin({ env: { PLYSTRA_REFRESH_REUSE_GRACE: '1s' } });
  });
  afterAll(() => plugin.close());

  it('signs in with the login bundle and audits the success', async () => {
    const user = await createUser(plugin.db, 'mallory@example.com');
    const res = await plugin.http.post('/api/v1/auth/login').send({ email: 'Mallory@example.com', password: TEST_PASSWORD }).expect(200);
    expect(res.body.data).toMatchObject({ token_type: 'Bearer', user: { id: user.userId, email: 'mallory@example.com', status: 'active' }, actor: { user_member_id: user.userMemberId } });
    expect(res.body.data.available_members).toHaveLength(1);
    const [row] = await plugin.db.dataSource.query(`SELECT action, resource_type, trace FROM audit_logs WHERE action = 'auth.login.succeeded' AND actor_user_id = $1`, [user.userId]);
    expect(row.resource_type).toBe('session');
    expect(JSON.stringify(row.trace)).not.toContain(TEST_PASSWORD);
    expect(JSON.stringify(row.trace)).not.toContain(res.body.data.access_token);
  });

  it('answers a wrong password and an unknown email identically (status and body)', async () => {
    await createUser(plugin.db, 'nina@example.com');
    const wrong = await plugin.http.post('/api/v1/auth/login').send({ email: 'nina@example.com', password: 'not the password at all' }).expect(401);
    const unknown = await plugin.http.post('/api/v1/auth/login').send({ email: 'nobody-nina@example.com', password: 'not the password at all' }).expect(401);
    const { request_id: _a, ...w } = wrong.body.error;
    const { request_id: _b, ...u } = unknown.body.error;
    expect(u).toEqual(w);
    expect(w.code).toBe('AUTHENTICATION_REQUIRED');
    const failed = await plugin.db.dataSource.query(`SELECT trace FROM audit_logs WHERE action = 'auth.login.failed'`);
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(failed)).not.toContain('not the password at all');
  });

  it('follows the live login limits', async () => {
    await createUser(plugin.db, 'oscar@example.com');
    await plugin.setSettings({ login_failure_limit: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await plugin.http.post('/api/v1/auth/login').send({ email: 'oscar@example.com', password: `wrong-password-${i}` })).status);
      expect(statuses).toEqual([401, 401, 429]);
      const locked = await plugin.db.dataSource.query(`SELECT action FROM audit_logs WHERE action = 'auth.login.locked'`);
      expect(locked).toHaveLength(1);
    } finally {
      await plugin.setSettings({ login_failure_limit: 8 });
    }
  });

  it('rotates on refresh, and a rotated refresh token presented after the grace window revokes the session', async () => {
    const user = await createUser(plugin.db, 'peggy@example.com');
    const login = (await plugin.http.post('/api/v1/auth/login').send({ email: 'peggy@example.com', password: TEST_PASSWORD }).expect(200)).body.data;
    const refreshed = (await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(200)).body.data;
    expect(refreshed.refresh_token).not.toBe(login.refresh_token);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const reuse = await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(401);
    expect(reuse.body.error.code).toBe('SESSION_EXPIRED');
    await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: refreshed.refresh_token }).expect(401);
    const rows = await plugin.db.dataSource.query(`SELECT decision FROM audit_logs WHERE action = 'auth.refresh.reuse_detected' AND actor_user_id = $1`, [user.userId]);
    expect(rows).toEqual([{ decision: 'deny' }]);
  });

  it('logs out by bearer or refresh token, always 200, and audits it', async () => {
    const user = await createUser(plugin.db, 'quinn@example.com');
    const login = (await plugin.http.post('/api/v1/auth/login').send({ email: 'quinn@example.com', password: TEST_PASSWORD }).expect(200)).body.data;
    const out = await plugin.http.post('/api/v1/auth/logout').set('Authorization', `Bearer ${login.access_token}`).send({}).expect(200);
    expect(out.body.data).toEqual({ logged_out: true });
    await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: login.refresh_token }).expect(401);
    await plugin.http.post('/api/v1/auth/logout').send({ refresh_token: 'ply_rt_nonsense' }).expect(200);
    const [session] = await plugin.db.dataSource.query(`SELECT revoked_reason FROM sessions WHERE user_id = $1`, [user.userId]);
    expect(session.revoked_reason).toBe('logout');
    expect(await plugin.db.dataSource.query(`SELECT id FROM audit_logs WHERE action = 'auth.logout' AND actor_user_id = $1`, [user.userId])).toHaveLength(1);
  });

  it('answers malformed input with 4xx, never 5xx', async () => {
    const bodies: Array<[string, string]> = [
      ['/api/v1/auth/login', '{"email": 1, "password": []}'],
      ['/api/v1/auth/login', '[]'],
      ['/api/v1/auth/login', '{"__proto__": {"x": 1}}'],
      ['/api/v1/auth/email-code', '{"email": "not-an-email"}'],
      ['/api/v1/auth/email-code/verify', '{"email": "a@example.com", "code": "12345a"}'],
      ['/api/v1/auth/email-code/verify', '{"email": "a@example.com", "code": "１２３４５６"}'],
      ['/api/v1/auth/magic-link', '{"email": "a@example.com", "redirect_url": 5}'],
      ['/api/v1/auth/magic-link/consume', '{"token": null}'],
      ['/api/v1/auth/refresh', '{}'],
      ['/api/v1/auth/register', '{"email": "a@example.com", "password": "x", "extra": 1}'],
    ];
    for (const [path, body] of bodies) {
      const res = await plugin.http.post(path).set('Content-Type', 'application/json').send(body);
      expect([path, res.status]).toEqual([path, expect.any(Number)]);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect((await plugin.http.get('/api/v1/auth/login')).body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect((await plugin.http.get('/nowhere')).body.error.code).toBe('NOT_FOUND');
  });
});

describe('login lockout across replicas and restarts', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await createUser(db, 'rupert@example.com');
  });
  afterAll(() => db.drop());

  it('8 failures split over two running instances lock the pair on both; the lock survives a restart', async () => {
    const a = await startPlugin({ db });
    const b = await startPlugin({ db });
    const attempt = (app: PluginTestApp, password: string) => app.http.post('/api/v1/auth/login').send({ email: 'rupert@example.com', password });
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 8; i++) statuses.push((await attempt(i % 2 ? b : a, `wrong-password-${i}`)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 429]);
      for (const app of [a, b]) {
        const locked = await attempt(app, TEST_PASSWORD).expect(429);
        expect(locked.body.error.code).toBe('AUTH_RATE_LIMITED');
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
      }
    } finally {
      await a.app.close();
      await b.app.close();
    }
    const restarted = await startPlugin({ db });
    try {
      await attempt(restarted, TEST_PASSWORD).expect(429);
    } finally {
      await restarted.app.close();
    }
  });
});
