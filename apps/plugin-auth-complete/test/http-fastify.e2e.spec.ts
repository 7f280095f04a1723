import { TEST_PASSWORD, createUser, startPlugin, tokenOf, type PluginTestApp } from './plugin-test-app';

const SECURITY = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };

/**
 * The plugin on Fastify (PLYSTRA_HTTP_ADAPTER=fastify): its own middleware (the magic-link
 * confirm page, served on a live path no route declares) and its routes answer as on Express.
 */
describe('plugin-auth-complete on Fastify (HTTP, real PostgreSQL)', () => {
  let plugin: PluginTestApp;
  const pathOf = (link: string) => {
    const url = new URL(link);
    return `${url.pathname}${url.search}`;
  };

  beforeAll(async () => {
    plugin = await startPlugin({ env: { PLYSTRA_HTTP_ADAPTER: 'fastify' }, settings: { server_public_url: 'https://auth.example.com' } });
  });
  afterAll(() => plugin?.close());

  const expectEnvelope = (res: { status: number; body: any; headers: Record<string, string> }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.request_id).toBe(res.body.request_id);
    expect(res.headers['x-plystra-error-code']).toBe(code);
    expect(res.headers['x-request-id']).toBe(res.body.request_id);
    expect(res.headers).toMatchObject(SECURITY);
  };

  it('runs on Fastify', () => {
    expect(plugin.app.getHttpAdapter().getType()).toBe('fastify');
  });

  it('renders the confirm page on GET and HEAD of the emailed URL, and the link then signs in once', async () => {
    await createUser(plugin.db, 'fay@example.com', null);
    await plugin.http.post('/api/v1/auth/magic-link').send({ email: 'fay@example.com' }).expect(202);
    const link = plugin.lastLink('fay@example.com');
    const page = await plugin.http.get(pathOf(link)).set('X-Request-ID', 'page-on-fastify').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'nonce-[^']+'; style-src 'nonce-[^']+'; connect-src 'self'/);
    expect(page.headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(page.headers['x-request-id']).toBe('page-on-fastify');
    expect(page.headers).toMatchObject(SECURITY);
    expect(Number(page.headers['content-length'])).toBe(Buffer.byteLength(page.text));
    expect(page.text).toContain('Sign in as <strong id="who">f…@example.com</strong>');
    expect(page.text).toContain('<button id="confirm" type="button">');
    expect(page.text).not.toContain(tokenOf(link));
    const head = await plugin.http.head(pathOf(link)).expect(200);
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    const [challenge] = await plugin.db.dataSource.query(`SELECT status FROM plugin_auth_challenges WHERE email = 'fay@example.com'`);
    expect(challenge.status).toBe('pending');

    const consumed = await plugin.http.post('/api/v1/auth/magic-link/consume').send({ token: tokenOf(link) }).expect(200);
    expect(consumed.body.data.access_token).toEqual(expect.any(String));
    const used = await plugin.http.get(pathOf(link)).expect(200);
    expect(used.text).toContain('invalid, expired or already used');
    expect(used.text).not.toContain('<button');
  });

  it('answers a repeated or missing token with the inert page, never a 5xx', async () => {
    const repeated = await plugin.http.get('/auth/consume?token=a&token=b').expect(200);
    expect(repeated.text).not.toContain('<button');
    const missing = await plugin.http.get('/auth/consume').expect(200);
    expect(missing.text).not.toContain('<button');
  });

  it('signs in with a password, and refuses bad JSON, prototype keys, unknown routes and wrong methods in the envelope', async () => {
    await createUser(plugin.db, 'gus@example.com');
    const login = await plugin.http.post('/api/v1/auth/login').send({ email: 'gus@example.com', password: TEST_PASSWORD }).expect(200);
    expect(login.body.data.token_type).toBe('Bearer');
    expect(login.headers).toMatchObject(SECURITY);
    expectEnvelope(await plugin.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email": '), 400, 'VALIDATION_FAILED');
    expectEnvelope(await plugin.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"__proto__": {"admin": true}}'), 400, 'VALIDATION_FAILED');
    expectEnvelope(await plugin.http.get('/api/v1/nothing-here'), 404, 'NOT_FOUND');
    expectEnvelope(await plugin.http.get('/api/v1/auth/login'), 405, 'METHOD_NOT_ALLOWED');
    const sessions = await plugin.http.get('/api/v1/auth/sessions').set('Authorization', `Bearer ${login.body.data.access_token}`).expect(200);
    expect(sessions.body.data.length).toBeGreaterThan(0);
  });

  it('listens on a real port', async () => {
    const base = await plugin.listen();
    const res = await fetch(`${base}/health`, { headers: { 'X-Request-ID': 'listen-probe' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('listen-probe');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});
