import { concurrently, createUser, startPlugin, tokenOf, type PluginTestApp } from './plugin-test-app';

const LINK_FAILED = 'The sign-in link is invalid, expired or already used.';
const SERVER = 'https://auth.example.com';

describe('magic links (HTTP, real PostgreSQL)', () => {
  let plugin: PluginTestApp;
  const send = (email: string, extra: Record<string, unknown> = {}) => plugin.http.post('/api/v1/auth/magic-link').send({ email, ...extra });
  const consume = (token: string) => plugin.http.post('/api/v1/auth/magic-link/consume').send({ token });
  const pathOf = (link: string) => {
    const url = new URL(link);
    return `${url.pathname}${url.search}`;
  };

  beforeAll(async () => {
    plugin = await startPlugin({ settings: { server_public_url: SERVER } });
  });
  beforeEach(async () => {
    await plugin.db.dataSource.query(`DELETE FROM auth_rate_limits`);
    await plugin.setSettings({ public_registration_enabled: false, public_app_url: '', allowed_redirect_origins: [], magic_link_ttl: '10m', login_failure_limit: 8 });
  });
  afterAll(() => plugin.close());

  it('emails server_public_url + magic_link_path with the token, and the link signs in exactly once', async () => {
    const user = await createUser(plugin.db, 'alice@example.com', null);
    const sent = await send('alice@example.com').expect(202);
    expect(sent.body.data).toEqual({ accepted: true, expires_at: expect.any(String), delivery_method: 'magic_link', email_delivery_mode: 'log' });
    const link = plugin.lastLink('alice@example.com');
    expect(link).toMatch(/^https:\/\/auth\.example\.com\/auth\/consume\?token=ply_ml_[0-9a-f]{64}$/);
    const token = tokenOf(link);
    const [challenge] = await plugin.db.dataSource.query(`SELECT * FROM plugin_auth_challenges WHERE email = 'alice@example.com'`);
    expect(challenge).toMatchObject({ purpose: 'auth.magic_link', status: 'pending', code_hash: null, user_id: user.userId, redirect_url: null });
    expect(JSON.stringify(challenge)).not.toContain(token.slice(7));

    const res = await consume(token).expect(200);
    expect(res.body.data).toMatchObject({ token_type: 'Bearer', user: { id: user.userId }, actor: { space_id: 'space_default' }, redirect_url: null });
    const again = await consume(token).expect(401);
    expect(again.body.error).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', message: LINK_FAILED });
    const [after] = await plugin.db.dataSource.query(`SELECT status, consumed_at FROM plugin_auth_challenges WHERE id = $1`, [challenge.id]);
    expect(after.status).toBe('consumed');
    const actions = await plugin.db.dataSource.query(`SELECT action FROM audit_logs WHERE actor_user_id = $1`, [user.userId]);
    expect(actions.map((a: { action: string }) => a.action).sort()).toEqual(['auth.magic_link.consumed', 'auth.magic_link.sent']);
  });

  it('gives exactly one 200 out of 50 concurrent consumes of one token', async () => {
    const user = await createUser(plugin.db, 'bob@example.com', null);
    await send('bob@example.com').expect(202);
    const token = tokenOf(plugin.lastLink('bob@example.com'));
    const results = await concurrently(50, () => consume(token));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 401 || s === 429)).toBe(true);
    const [{ count }] = await plugin.db.dataSource.query(`SELECT count(*)::int AS count FROM sessions WHERE user_id = $1`, [user.userId]);
    expect(count).toBe(1);
  });

  it('serves an inert confirm page on GET of the emailed URL: nothing in the database changes', async () => {
    const user = await createUser(plugin.db, 'carol@example.com', null);
    await send('carol@example.com').expect(202);
    const link = plugin.lastLink('carol@example.com');
    const snapshot = async () => ({
      challenge: await plugin.db.dataSource.query(`SELECT status, attempts, updated_at, consumed_at FROM plugin_auth_challenges WHERE email = 'carol@example.com'`),
      sessions: await plugin.db.dataSource.query(`SELECT count(*)::int AS n FROM sessions`),
      audit: await plugin.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs`),
      limits: await plugin.db.dataSource.query(`SELECT key, points FROM auth_rate_limits ORDER BY key`),
      users: await plugin.db.dataSource.query(`SELECT email_verified_at, last_login_at FROM users WHERE id = $1`, [user.userId]),
    });
    const before = await snapshot();
    for (const agent of ['Mozilla/5.0 (compatible; SafeLinks scanner)', 'Mozilla/5.0']) {
      const page = await plugin.http.get(pathOf(link)).set('User-Agent', agent).expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.text).toContain('Sign in as <strong id="who">c…@example.com</strong>');
      expect(page.text).toContain('<button id="confirm" type="button">');
      expect(page.text).not.toMatch(/<form|http-equiv="refresh"|onload=|\.submit\(|\.click\(\)/i);
      expect(page.text).not.toContain(tokenOf(link));
      expect(page.headers['content-security-policy']).toMatch(/script-src 'nonce-[^']+'; style-src 'nonce-[^']+'; connect-src 'self'/);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-store');
    }
    await plugin.http.head(pathOf(link)).expect(200);
    expect(await snapshot()).toEqual(before);
    // The link still works after the scanners.
    await consume(tokenOf(link)).expect(200);
    const used = await plugin.http.get(pathOf(link)).expect(200);
    expect(used.text).toContain('invalid, expired or already used');
    expect(used.text).not.toContain('<button');
    expect((await plugin.http.get('/auth/consume').expect(200)).text).not.toContain('<button');
  });

  it('follows the live magic_link_path for the page and the emailed URL', async () => {
    await createUser(plugin.db, 'path@example.com', null);
    await plugin.setSettings({ magic_link_path: '/signin/magic' });
    try {
      await send('path@example.com').expect(202);
      const link = plugin.lastLink('path@example.com');
      expect(link.startsWith(`${SERVER}/signin/magic?token=`)).toBe(true);
      expect((await plugin.http.get(pathOf(link)).expect(200)).text).toContain('Sign in as');
      await plugin.http.get('/auth/consume').expect(404);
    } finally {
      await plugin.setSettings({ magic_link_path: '/auth/consume' });
    }
  });

  it('refuses a redirect_url that is not allow-listed or not HTTPS with 400, and sends nothing', async () => {
    await createUser(plugin.db, 'dave@example.com', null);
    await plugin.setSettings({ public_app_url: 'https://app.example.com', allowed_redirect_origins: ['https://admin.example.com'] });
    for (const redirect_url of ['https://evil.example.com/cb', 'http://app.example.com/cb', 'https://app.example.com.evil.com/cb', 'javascript:alert(1)', 'https://app.example.com/cb#x']) {
      const res = await send('dave@example.com', { redirect_url }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields[0].field).toBe('redirect_url');
    }
    expect(plugin.emailsTo('dave@example.com')).toEqual([]);
    // Allowed: the emailed URL is the redirect_url with the token; the consume hands off to it.
    await send('dave@example.com', { redirect_url: 'https://admin.example.com/welcome?tab=1' }).expect(202);
    const link = plugin.lastLink('dave@example.com');
    expect(link).toMatch(/^https:\/\/admin\.example\.com\/welcome\?tab=1&token=ply_ml_[0-9a-f]{64}$/);
    const res = await consume(tokenOf(link)).expect(200);
    expect(res.body.data.redirect_url).toBe('https://admin.example.com/welcome?tab=1');
    // Without one, public_app_url + magic_link_path; the hand-off goes to the application.
    await send('dave@example.com').expect(202);
    const appLink = plugin.lastLink('dave@example.com');
    expect(appLink.startsWith('https://app.example.com/auth/consume?token=ply_ml_')).toBe(true);
    expect((await consume(tokenOf(appLink)).expect(200)).body.data.redirect_url).toBe('https://app.example.com/');
  });

  it('refuses an expired link and a wrong token with one 401 message', async () => {
    await createUser(plugin.db, 'erin@example.com', null);
    await plugin.setSettings({ magic_link_ttl: '1s' });
    await send('erin@example.com').expect(202);
    const token = tokenOf(plugin.lastLink('erin@example.com'));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const expired = await consume(token).expect(401);
    const wrong = await consume('ply_ml_' + '0'.repeat(64)).expect(401);
    const garbage = await consume('not-a-token').expect(401);
    for (const res of [expired, wrong, garbage]) expect(res.body.error).toMatchObject({ code: 'AUTHENTICATION_REQUIRED', message: LINK_FAILED });
  });

  it('locks an IP that keeps presenting bad tokens (the per-IP login ceiling)', async () => {
    await plugin.setSettings({ login_failure_limit: 1 }); // per-IP ceiling: 10 failures
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await consume('ply_ml_' + i.toString(16).padStart(64, '0'))).status);
    expect(statuses.slice(0, 9)).toEqual(new Array(9).fill(401));
    expect(statuses.slice(9)).toEqual([429, 429]);
  });

  it('answers identically for existing and unknown addresses and sends nothing to unknown ones', async () => {
    await createUser(plugin.db, 'frank@example.com', null);
    const known = await send('frank@example.com').expect(202);
    const unknown = await send('nobody-frank@example.com').expect(202);
    const strip = (body: { data: Record<string, unknown> }) => ({ ...body.data, expires_at: typeof body.data.expires_at });
    expect(strip(unknown.body)).toEqual(strip(known.body));
    expect(plugin.emailsTo('nobody-frank@example.com')).toEqual([]);
    expect(await plugin.db.dataSource.query(`SELECT id FROM plugin_auth_challenges WHERE email = 'nobody-frank@example.com'`)).toEqual([]);
  });

  it('with public registration on, a consumed link creates the account', async () => {
    await plugin.setSettings({ public_registration_enabled: true });
    await send('newcomer@example.com', { metadata: { source: 'landing' } }).expect(202);
    const res = await consume(tokenOf(plugin.lastLink('newcomer@example.com'))).expect(200);
    const [user] = await plugin.db.dataSource.query(`SELECT email, password_hash, metadata FROM users WHERE id = $1`, [res.body.data.user.id]);
    expect(user).toEqual({ email: 'newcomer@example.com', password_hash: null, metadata: { source: 'landing' } });
    expect(await plugin.db.dataSource.query(`SELECT id FROM admin_grants WHERE user_id = $1`, [res.body.data.user.id])).toEqual([]);
  });
});
