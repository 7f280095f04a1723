import { startCore, type CoreTestApp } from './core-test-app';

const BOOTSTRAP_TOKEN = 'bootstrap-token-0123456789abcdef0123456789';
const ORDINARY_TOKEN = 'ordinary-token-0123456789abcdef01234567890';
const body = (email: string, extra: Record<string, unknown> = {}) => ({ email, password: 'a long enough password', ...extra });
const count = async (core: CoreTestApp, sql: string, params: unknown[] = []) => (await core.db.dataSource.query(sql, params))[0].n as number;

describe('registration is disabled by default', () => {
  let core: CoreTestApp;
  beforeAll(async () => {
    core = await startCore({ seed: false });
  });
  afterAll(() => core.close());

  it('answers 403 REGISTRATION_DISABLED and writes nothing', async () => {
    const res = await core.http.post('/api/v1/auth/register').send(body('new@example.com')).expect(403);
    expect(res.body.error.code).toBe('REGISTRATION_DISABLED');
    expect(await count(core, `SELECT count(*)::int AS n FROM users`)).toBe(0);
  });
});

describe('bootstrap and ordinary registration', () => {
  let core: CoreTestApp;
  beforeAll(async () => {
    core = await startCore({
      seed: false,
      env: {
        PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED: 'true',
        PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN: BOOTSTRAP_TOKEN,
        PLYSTRA_AUTH_REGISTRATION_ENABLED: 'true',
        PLYSTRA_AUTH_REGISTRATION_TOKEN: ORDINARY_TOKEN,
      },
    });
  });
  afterAll(() => core.close());

  it('refuses ordinary registration before the first super admin exists, naming why', async () => {
    const res = await core.http.post('/api/v1/auth/register').send(body('early@example.com', { registration_token: ORDINARY_TOKEN })).expect(403);
    expect(res.body.error.message).toMatch(/first instance super admin/);
    expect(await count(core, `SELECT count(*)::int AS n FROM users`)).toBe(0);
  });

  it('refuses a wrong bootstrap token', async () => {
    await core.http.post('/api/v1/auth/register').send(body('root@example.com', { registration_token: 'wrong-token' })).expect(403);
  });

  it('bootstraps exactly one super admin, with a working session', async () => {
    const res = await core.http.post('/api/v1/auth/register').send(body('Root@Example.com', { registration_token: BOOTSTRAP_TOKEN, password_hash: 'ignored?' }));
    // password_hash is not a field of the request: strict bodies refuse it.
    expect(res.status).toBe(400);
    const ok = await core.http.post('/api/v1/auth/register').send(body('Root@Example.com', { registration_token: BOOTSTRAP_TOKEN })).expect(201);
    expect(ok.body.data.bootstrap_super_admin).toBe(true);
    expect(ok.body.data.user.email).toBe('root@example.com');
    expect(ok.body.data.actor.space_id).toBe('space_default');
    expect(JSON.stringify(ok.body)).not.toContain('password_hash');
    expect(JSON.stringify(ok.body)).not.toContain('argon2id');
    const grants = await core.db.dataSource.query(`SELECT level, permission_key FROM admin_grants WHERE user_id = $1`, [ok.body.data.user.id]);
    expect(grants).toEqual([{ level: 'instance_super_admin', permission_key: '*' }]);
    await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${ok.body.data.access_token}`).expect(200);
    // A second bootstrap is no longer possible: the token is now treated as an ordinary one and refused.
    const again = await core.http.post('/api/v1/auth/register').send(body('second-root@example.com', { registration_token: BOOTSTRAP_TOKEN })).expect(403);
    expect(again.body.error.code).toBe('REGISTRATION_DISABLED');
    expect(await count(core, `SELECT count(*)::int AS n FROM admin_grants WHERE level = 'instance_super_admin'`)).toBe(1);
  });

  it('registers ordinary users after bootstrap, bound in space_default with no admin grant', async () => {
    const res = await core.http.post('/api/v1/auth/register').send(body('user@example.com', { registration_token: ORDINARY_TOKEN, member_display_name: 'Ann' })).expect(201);
    expect(res.body.data.registration_mode).toBe('ordinary');
    expect(res.body.data.available_members[0]).toMatchObject({ member_display_name: 'Ann', space_id: 'space_default', relation_type: 'self', is_primary: true });
    expect(await count(core, `SELECT count(*)::int AS n FROM admin_grants WHERE user_id = $1`, [res.body.data.user.id])).toBe(0);
    const login = await core.http.post('/api/v1/auth/login').send({ email: 'user@example.com', password: 'a long enough password' }).expect(200);
    expect(login.body.data.actor.user_id).toBe(res.body.data.user.id);
  });

  it('answers a duplicate email (any case) with 409 and changes nothing', async () => {
    const res = await core.http.post('/api/v1/auth/register').send(body('USER@example.com', { registration_token: ORDINARY_TOKEN })).expect(409);
    expect(res.body.error.code).toBe('USER_CONFLICT');
    expect(await count(core, `SELECT count(*)::int AS n FROM users WHERE lower(email) = 'user@example.com'`)).toBe(1);
    expect(await count(core, `SELECT count(*)::int AS n FROM members WHERE space_id = 'space_default'`)).toBe(2);
  });

  it('applies the password policy', async () => {
    const res = await core.http.post('/api/v1/auth/register').send({ email: 'weak@example.com', password: 'short', registration_token: ORDINARY_TOKEN }).expect(400);
    expect(res.body.error.details.fields[0].field).toBe('password');
  });

  it('serialises concurrent registrations of one email: exactly one user', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => core.http.post('/api/v1/auth/register').send(body('race@example.com', { registration_token: ORDINARY_TOKEN }))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    expect(await count(core, `SELECT count(*)::int AS n FROM users WHERE email = 'race@example.com'`)).toBe(1);
  });
});

describe('public user-only registration', () => {
  it('creates the user row only: no binding, no tokens', async () => {
    const core = await startCore({ seed: false, env: { PLYSTRA_AUTH_PUBLIC_USER_REGISTRATION_ENABLED: 'true' } });
    try {
      const res = await core.http.post('/api/v1/auth/register').send(body('solo@example.com')).expect(201);
      expect(res.body.data).toMatchObject({ user_only: true, actor: null, available_members: [], registration_mode: 'public_user_only' });
      expect(res.body.data.access_token).toBeUndefined();
      expect(await count(core, `SELECT count(*)::int AS n FROM user_members`)).toBe(0);
      const login = await core.http.post('/api/v1/auth/login').send({ email: 'solo@example.com', password: 'a long enough password' }).expect(403);
      expect(login.body.error.code).toBe('ACTIVE_MEMBER_REQUIRED');
    } finally {
      await core.close();
    }
  });
});
