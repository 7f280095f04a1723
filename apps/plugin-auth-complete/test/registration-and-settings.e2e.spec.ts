import { TEST_PASSWORD, createUser, startPlugin, type PluginTestApp } from './plugin-test-app';

const counts = async (plugin: PluginTestApp) => {
  const [row] = await plugin.db.dataSource.query(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM members)::int AS members,
            (SELECT count(*) FROM user_members)::int AS user_members, (SELECT count(*) FROM sessions)::int AS sessions,
            (SELECT count(*) FROM admin_grants)::int AS admin_grants, (SELECT count(*) FROM audit_logs)::int AS audit_logs,
            (SELECT count(*) FROM auth_rate_limits)::int AS rate_limits, (SELECT count(*) FROM spaces)::int AS spaces`,
  );
  return row;
};

describe('public registration (HTTP, real PostgreSQL)', () => {
  let plugin: PluginTestApp;
  beforeAll(async () => {
    plugin = await startPlugin();
  });
  afterAll(() => plugin.close());

  it('is off by default: 403 REGISTRATION_DISABLED and not a row written', async () => {
    const before = await counts(plugin);
    const res = await plugin.http.post('/api/v1/auth/register').send({ email: 'first@example.com', password: TEST_PASSWORD }).expect(403);
    expect(res.body.error.code).toBe('REGISTRATION_DISABLED');
    expect(res.headers['x-plystra-error-code']).toBe('REGISTRATION_DISABLED');
    expect(await counts(plugin)).toEqual(before);
  });

  it('turns on within 5 seconds of a plain SQL UPDATE on every running replica (LISTEN, and the TTL re-read alone)', async () => {
    // A second replica that does not LISTEN: it must pick the change up from its timed re-read.
    const timerOnly = await startPlugin({ db: plugin.db, config: { settingsListen: false } });
    try {
      // While disabled, 403 comes before validation; once enabled, a too-short password is a 400. No rows either way.
      const probe = (app: PluginTestApp) => app.http.post('/api/v1/auth/register').send({ email: 'probe@example.com', password: 'short' });
      expect((await probe(plugin)).status).toBe(403);
      expect((await probe(timerOnly)).status).toBe(403);
      const started = Date.now();
      await plugin.db.dataSource.query(`UPDATE plugin_auth_settings SET value = 'true' WHERE key = 'public_registration_enabled'`);
      const waitFor = async (app: PluginTestApp) => {
        while (Date.now() - started < 5000) {
          if ((await probe(app)).status === 400) return Date.now() - started;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error('the setting did not apply within 5 seconds');
      };
      const [listening, polling] = await Promise.all([waitFor(plugin), waitFor(timerOnly)]);
      expect(listening).toBeLessThan(5000);
      expect(polling).toBeLessThan(5000);
      const [{ count }] = await plugin.db.dataSource.query(`SELECT count(*)::int AS count FROM users WHERE email = 'probe@example.com'`);
      expect(count).toBe(0);
    } finally {
      await timerOnly.app.close();
    }
  });

  it('registers a user with a member and a primary self binding in space_default, a session, and no admin grant of any kind', async () => {
    await plugin.setSettings({ public_registration_enabled: true });
    const res = await plugin.http
      .post('/api/v1/auth/register')
      .send({ email: '  New.User@Example.com ', password: TEST_PASSWORD, member_display_name: 'New User', metadata: { team: 'blue' } })
      .expect(201);
    const data = res.body.data;
    expect(data.access_token).toMatch(/^ply_at_[0-9a-f]{64}$/);
    expect(data.refresh_token).toMatch(/^ply_rt_[0-9a-f]{64}$/);
    expect(data.user).toEqual({ id: expect.stringMatching(/^user_[0-9a-f]{16}$/), email: 'new.user@example.com', status: 'active' });
    expect(data.actor.space_id).toBe('space_default');
    expect(data.available_members).toEqual([
      expect.objectContaining({ user_id: data.user.id, space_id: 'space_default', member_display_name: 'New User', relation_type: 'self', is_primary: true }),
    ]);
    const [user] = await plugin.db.dataSource.query(`SELECT email, status, password_hash, metadata FROM users WHERE id = $1`, [data.user.id]);
    expect(user.password_hash).toMatch(/^argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(user.metadata).toEqual({ team: 'blue' });
    const bindings = await plugin.db.dataSource.query(`SELECT space_id, relation_type, status, is_primary FROM user_members WHERE user_id = $1`, [data.user.id]);
    expect(bindings).toEqual([{ space_id: 'space_default', relation_type: 'self', status: 'active', is_primary: true }]);
    const grants = await plugin.db.dataSource.query(`SELECT id FROM admin_grants WHERE user_id = $1`, [data.user.id]);
    expect(grants).toEqual([]);
    const [session] = await plugin.db.dataSource.query(`SELECT user_id, active_member_id FROM sessions WHERE user_id = $1`, [data.user.id]);
    expect(session.active_member_id).toBe(data.actor.member_id);
    const audit = await plugin.db.dataSource.query(`SELECT action, trace FROM audit_logs WHERE actor_user_id = $1`, [data.user.id]);
    expect(audit.map((row: { action: string }) => row.action)).toEqual(['auth.register']);
    expect(JSON.stringify(audit)).not.toContain(TEST_PASSWORD);
    expect(JSON.stringify(audit)).not.toContain('argon2id');
  });

  it('refuses a duplicate email (any case) with 409 USER_CREATE_FAILED and overwrites nothing', async () => {
    await plugin.setSettings({ public_registration_enabled: true });
    const existing = await createUser(plugin.db, 'taken@example.com');
    const [before] = await plugin.db.dataSource.query(`SELECT password_hash, updated_at FROM users WHERE id = $1`, [existing.userId]);
    const res = await plugin.http.post('/api/v1/auth/register').send({ email: 'TAKEN@example.com', password: 'another long password' }).expect(409);
    expect(res.body.error.code).toBe('USER_CREATE_FAILED');
    const [after] = await plugin.db.dataSource.query(`SELECT password_hash, updated_at FROM users WHERE id = $1`, [existing.userId]);
    expect(after).toEqual(before);
    const [{ count }] = await plugin.db.dataSource.query(`SELECT count(*)::int AS count FROM members WHERE display_name = 'taken'`);
    expect(count).toBe(1);
  });

  it('limits registrations per IP, since a sign-in at once cannot hide that an address exists', async () => {
    await plugin.setSettings({ public_registration_enabled: true, email_send_max_attempts: 1 });
    await plugin.db.dataSource.query(`DELETE FROM auth_rate_limits`);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await plugin.http.post('/api/v1/auth/register').send({ email: 'taken@example.com', password: TEST_PASSWORD })).status);
      expect(statuses).toEqual([...new Array(10).fill(409), 429]);
    } finally {
      await plugin.setSettings({ email_send_max_attempts: 3 });
      await plugin.db.dataSource.query(`DELETE FROM auth_rate_limits`);
    }
  });

  it('validates strictly: unknown fields, weak passwords and secret-looking metadata are 400', async () => {
    await plugin.setSettings({ public_registration_enabled: true });
    const unknown = await plugin.http.post('/api/v1/auth/register').send({ email: 'x1@example.com', password: TEST_PASSWORD, is_admin: true }).expect(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    await plugin.http.post('/api/v1/auth/register').send({ email: 'x2@example.com', password: 'short' }).expect(400);
    const secret = await plugin.http.post('/api/v1/auth/register').send({ email: 'x3@example.com', password: TEST_PASSWORD, metadata: { api_key: 'k' } }).expect(400);
    expect(secret.body.error.message).toMatch(/looks like a secret/);
  });
});

describe('settings (validated on read, never secrets)', () => {
  let plugin: PluginTestApp;
  beforeAll(async () => {
    plugin = await startPlugin();
  });
  afterAll(() => plugin.close());

  it('seeds the 19 defaults as jsonb', async () => {
    const rows = await plugin.db.dataSource.query(`SELECT key, value FROM plugin_auth_settings ORDER BY key`);
    expect(rows).toHaveLength(19);
    const byKey = Object.fromEntries(rows.map((row: { key: string; value: unknown }) => [row.key, row.value]));
    expect(byKey).toMatchObject({
      public_registration_enabled: false, email_delivery_mode: 'log', email_capability_timeout: '10s', magic_link_path: '/auth/consume',
      allowed_redirect_origins: [], auth_challenge_max_attempts: 5, email_send_max_attempts: 3, login_failure_limit: 8,
      login_failure_window: '15m', login_failure_lockout: '15m', max_request_body_bytes: 1048576, trusted_proxy_cidrs: [],
    });
  });

  it('reports a bad value in /health and keeps the last good value in force', async () => {
    await plugin.setSettings({ max_request_body_bytes: 4096 });
    await plugin.setSettings({ max_request_body_bytes: 'a lot' });
    const health = await plugin.http.get('/health').expect(200);
    expect(health.body.data.status).toBe('degraded');
    expect(health.body.data.checks.settings.problems).toEqual([{ key: 'max_request_body_bytes', message: expect.stringMatching(/integer.*last good value/) }]);
    // 4096 (the last good value) is still the limit.
    await plugin.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send(`{"email":"${'a'.repeat(5000)}"}`).expect(413);
    await plugin.setSettings({ max_request_body_bytes: 1048576 });
    expect((await plugin.http.get('/health').expect(200)).body.data.status).toBe('ok');
  });

  it('refuses secret-looking keys in the database and in the settings code', async () => {
    for (const key of ['smtp_password', 'email_capability_token', 'client-secret', 'api.key']) {
      await expect(plugin.db.dataSource.query(`INSERT INTO plugin_auth_settings (key, value) VALUES ($1, '"x"')`, [key])).rejects.toThrow(/plugin_auth_settings_key_not_secret|plugin_auth_settings_key_format/);
    }
    await expect(plugin.settings.set('email_capability_token', 'x', 'test')).rejects.toThrow(/looks like a secret/);
    await expect(plugin.settings.set('email_capability_url', 'https://user:pass@mail.example.com', 'test')).rejects.toThrow(/credentials/);
    await expect(plugin.settings.set('login_failure_limit', 0, 'test')).rejects.toThrow(/integer from 1/);
    const [{ count }] = await plugin.db.dataSource.query(`SELECT count(*)::int AS count FROM plugin_auth_settings`);
    expect(count).toBe(19);
  });

  it('enforces max_request_body_bytes before parsing, following the live setting', async () => {
    const malformed = `{"email": "${'x'.repeat(3000)}" ,,, not json`;
    await plugin.setSettings({ max_request_body_bytes: 2048 });
    const tooLarge = await plugin.http.post('/api/v1/auth/email-code').set('Content-Type', 'application/json').send(malformed).expect(413);
    expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    await plugin.setSettings({ max_request_body_bytes: 1048576 });
    const parsed = await plugin.http.post('/api/v1/auth/email-code').set('Content-Type', 'application/json').send(malformed).expect(400);
    expect(parsed.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('honours X-Forwarded-For only from a trusted proxy, right to left', async () => {
    await createUser(plugin.db, 'xff@example.com', null);
    const sendFrom = async (xff: string) => {
      await plugin.http.post('/api/v1/auth/email-code').set('X-Forwarded-For', xff).send({ email: 'xff@example.com' }).expect(202);
      const [row] = await plugin.db.dataSource.query(`SELECT request_ip FROM plugin_auth_challenges WHERE email = 'xff@example.com' ORDER BY created_at DESC LIMIT 1`);
      return row.request_ip as string;
    };
    await plugin.db.dataSource.query(`DELETE FROM auth_rate_limits`);
    expect(await sendFrom('203.0.113.9')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    await plugin.setSettings({ trusted_proxy_cidrs: ['loopback'] });
    expect(await sendFrom('203.0.113.9, 10.0.0.5')).toBe('10.0.0.5');
    await plugin.db.dataSource.query(`DELETE FROM auth_rate_limits`);
    await plugin.setSettings({ trusted_proxy_cidrs: ['127.0.0.1/8', '::1', '10.0.0.0/8'] });
    expect(await sendFrom('198.51.100.7, 203.0.113.9, 10.0.0.5')).toBe('203.0.113.9');
    await plugin.setSettings({ trusted_proxy_cidrs: [] });
    expect(await sendFrom('203.0.113.9')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('answers /health with the database, the schema and the delivery configuration', async () => {
    const res = await plugin.http.get('/health').expect(200);
    expect(res.body.data).toMatchObject({
      status: 'ok',
      checks: {
        database: { ok: true },
        schema: { ok: true, plugin: { current: 'CreatePluginAuthChallenges1765000000100', pending: [] } },
        delivery: { ok: true, mode: 'log', problems: [] },
        settings: { ok: true, problems: [] },
      },
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
