import { AccessRegistry } from '../src/access/access-registry';
import { startCore, type CoreTestApp } from './core-test-app';

describe.each(['express', 'fastify'])('HTTP conventions of core.md §3 on %s', (adapter) => {
  let core: CoreTestApp;
  beforeAll(async () => {
    core = await startCore({ env: { PLYSTRA_HTTP_ADAPTER: adapter, TRUSTED_PROXIES: '10.0.0.0/8', MAX_REQUEST_BODY_BYTES: '4096', CORS_ALLOWED_ORIGINS: 'https://app.example.com' } });
  });

  it('runs on the adapter PLYSTRA_HTTP_ADAPTER names', () => {
    expect(core.app.getHttpAdapter().getType()).toBe(adapter);
  });
  afterAll(() => core.close());

  const expectEnvelope = (res: { status: number; body: any; headers: Record<string, string> }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.error.request_id).toBe(res.body.request_id);
    expect(res.headers['x-plystra-error-code']).toBe(code);
  };

  it('sets the security headers and echoes a valid request id', async () => {
    const res = await core.http.get('/api/v1/health').set('X-Request-ID', 'client-id-123').expect(200);
    expect(res.body).toEqual({ data: { status: 'ok' }, request_id: 'client-id-123', meta: { request_id: 'client-id-123' } });
    expect(res.headers['x-request-id']).toBe('client-id-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('replaces an unacceptable request id', async () => {
    for (const bad of ['x'.repeat(129), 'has space', 'quote"d', 'back\\slash']) {
      const res = await core.http.get('/api/v1/health').set('X-Request-ID', bad).expect(200);
      expect(res.body.request_id).toMatch(/^req_[0-9a-f]{16}$/);
    }
  });

  it('answers unknown routes 404 and wrong methods 405 in the envelope', async () => {
    expectEnvelope(await core.http.get('/api/v1/nothing-here'), 404, 'NOT_FOUND');
    expectEnvelope(await core.http.get('/elsewhere'), 404, 'NOT_FOUND');
    expectEnvelope(await core.http.delete('/api/v1/health'), 405, 'METHOD_NOT_ALLOWED');
    expectEnvelope(await core.http.get('/api/v1/auth/login'), 405, 'METHOD_NOT_ALLOWED');
  });

  it('echoes only allow-listed CORS origins', async () => {
    const allowed = await core.http.options('/api/v1/auth/login').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'POST').expect(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-allow-headers']).toContain('X-Plystra-API-Key');
    const other = await core.http.options('/api/v1/auth/login').set('Origin', 'https://evil.example.com').expect(204);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('takes the client IP from X-Forwarded-For only through trusted proxies, right to left', async () => {
    // supertest connects from 127.0.0.1, which is not trusted: the header is ignored.
    const login = () => core.http.post('/api/v1/auth/login').send({ email: 'ip-probe@example.com', password: 'not-the-password' });
    await login().set('X-Forwarded-For', '203.0.113.9').expect(401);
    const lines = core.logs.filter((l) => l.includes('ip-probe') || l.includes('"path":"/api/v1/auth/login"'));
    expect(lines.at(-1)).toContain('"remote_ip":"127.0.0.1"');
  });

  it('refuses malformed JSON, non-object bodies, unknown fields, wrong types, prototype keys and oversized bodies on every route with a body', async () => {
    const routes = core.app.get(AccessRegistry).routes().filter((r) => ['POST', 'PATCH', 'PUT'].includes(r.method));
    expect(routes.length).toBeGreaterThan(3);
    const bodies: Array<[string, string]> = [
      ['malformed', '{"email": '],
      ['array', '[1,2,3]'],
      ['string', '"hello"'],
      ['null', 'null'],
      ['unknown field', '{"definitely_not_a_field": true}'],
      ['wrong types', '{"email": 12, "password": [], "refresh_token": {}, "member_id": 5, "name": false}'],
      ['prototype', '{"__proto__": {"admin": true}}'],
      ['constructor', '{"constructor": {"prototype": {"admin": true}}}'],
      ['oversized', JSON.stringify({ padding: 'x'.repeat(5000) })],
    ];
    for (const route of routes) {
      const path = `/api/v1${route.path.replace(/:[a-z_]+/g, 'x_unknown')}`;
      for (const [name, body] of bodies) {
        const res = await core.http[route.method.toLowerCase() as 'post'](path).set('Content-Type', 'application/json').send(body);
        if (res.status >= 500 || res.status < 400 || !res.body?.error?.code) {
          throw new Error(`${route.method} ${path} with a ${name} body answered ${res.status} ${JSON.stringify(res.body)}`);
        }
        if (name === 'oversized') expect(res.status).toBe(413);
      }
    }
  });
});
