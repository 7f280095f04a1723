import { listen } from '@plystra/http';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { auditRow, grantAdmin, insertApiKey, login } from './authz/authz-test-kit';
import { startCore, type CoreTestApp } from './core-test-app';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef0123';
const ENV = { TRUSTED_PROXIES: '10.0.0.0/8', MAX_REQUEST_BODY_BYTES: '4096', CORS_ALLOWED_ORIGINS: 'https://app.example.com', PLYSTRA_AUTH_LOGIN_MAX_FAILURES: '1000', METRICS_ENABLED: 'true', METRICS_TOKEN: METRICS_TOKEN };
const SECURITY = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request over a real socket, with exactly the bytes given (supertest would fix up headers). */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes raw bytes on a fresh connection and resolves with everything the server wrote before closing. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(5_000, () => socket.destroy());
    socket.write(bytes);
  });
}

/** Sends headers declaring `declared` body bytes but only a few of them, and resolves on the answer (which must not wait for the rest). */
function declareLength(port: number, path: string, declared: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path, headers: { 'Content-Type': 'application/json', 'Content-Length': String(declared) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        req.destroy();
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.write('{"email": "');
  });
}

/** A Content-Type with its parameters in a fixed order (their order carries no meaning). */
const mediaType = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const [type, ...parameters] = value.split(';').map((part) => part.trim().toLowerCase());
  return [type, ...parameters.sort()].join('; ');
};

const errorCode = (answer: Answer): string | undefined => {
  try {
    return JSON.parse(answer.text).error?.code;
  } catch {
    return undefined;
  }
};

/**
 * Core on Fastify (PLYSTRA_HTTP_ADAPTER=fastify) answers as Core on Express does: each behaviour of
 * core.md §3 asserted over real HTTP on Fastify, and a table of edge-case requests sent to both
 * adapters (one database) whose answers must agree status for status and code for code.
 */
describe('Core on Fastify: the HTTP conventions of core.md §3, at parity with Express', () => {
  let fastify: CoreTestApp;
  let express: CoreTestApp;
  let fastifyPort: number;
  let expressPort: number;
  let apiKey: string;
  beforeAll(async () => {
    fastify = await startCore({ env: { ...ENV, PLYSTRA_HTTP_ADAPTER: 'fastify' } });
    express = await startCore({ env: { ...ENV, PLYSTRA_HTTP_ADAPTER: 'express' }, db: fastify.db, seed: false });
    fastifyPort = await listen(fastify.app, '127.0.0.1', 0, { headersTimeoutMs: 2_000 });
    expressPort = await listen(express.app, '127.0.0.1', 0, { headersTimeoutMs: 2_000 });
    await grantAdmin(fastify.db.dataSource, 'user_alice', 'space_admin', 'authz:check', { spaceId: 'space_acme' });
    apiKey = await insertApiKey(fastify.db.dataSource, { level: 'instance', permissionKeys: ['audit:read', 'authz:check'] });
  });
  afterAll(async () => {
    await express?.close();
    await fastify?.close();
  });

  const expectEnvelope = (answer: Answer, status: number, code: string) => {
    expect(answer.status).toBe(status);
    const body = JSON.parse(answer.text);
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    expect(body.error.request_id).toBe(body.request_id);
    expect(answer.headers['x-plystra-error-code']).toBe(code);
    expect(answer.headers['x-request-id']).toBe(body.request_id);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers).toMatchObject(SECURITY);
    return body;
  };

  it('runs on Fastify, with the server timeouts listen sets', () => {
    expect(fastify.app.getHttpAdapter().getType()).toBe('fastify');
    expect(express.app.getHttpAdapter().getType()).toBe('express');
    const server = fastify.app.getHttpServer() as import('node:http').Server;
    expect(server.headersTimeout).toBe(2_000);
    expect(server.requestTimeout).toBe(30_000);
    expect(server.keepAliveTimeout).toBe(65_000);
  });

  it('checks authorization: allow and deny, each with its trace and audit id headers and its audit row', async () => {
    const token = await login(fastify, 'alice@example.com');
    const check = (resourceId: string) =>
      fastify.http.post('/api/v1/authz/check').set('Authorization', `Bearer ${token}`).send({ resource_type: 'invoice', resource_id: resourceId, action: 'approve' });
    const allow = await check('invoice_001').expect(200);
    expect(allow.body.data).toMatchObject({ allow: true, decision: 'allow', deny_code: null });
    expect(allow.headers['x-plystra-audit-log-id']).toBe(allow.body.data.audit_log_id);
    expect(allow.headers['x-plystra-trace-id']).toBe(allow.body.data.trace_id);
    expect(allow.headers).toMatchObject(SECURITY);
    const deny = await check('invoice_002').expect(200);
    expect(deny.body.data).toMatchObject({ allow: false, decision: 'deny', deny_code: 'SCOPE_OUT_OF_BOUNDS' });
    expect(deny.headers['x-plystra-audit-log-id']).toBe(deny.body.data.audit_log_id);
    expect(await auditRow(fastify.db.dataSource, allow.body.data.audit_log_id)).toMatchObject({ decision: 'allow', request_id: allow.body.request_id, actor_user_id: 'user_alice' });
    expect(await auditRow(fastify.db.dataSource, deny.body.data.audit_log_id)).toMatchObject({ decision: 'deny', deny_code: 'SCOPE_OUT_OF_BOUNDS', request_id: deny.body.request_id });
  });

  it('logs in and serves the actor context to the bearer; refuses a missing or bad bearer', async () => {
    const login = await fastify.http.post('/api/v1/auth/login').send({ email: 'alice@example.com', password: 'plystra-demo' }).expect(200);
    expect(login.body.data.access_token).toEqual(expect.any(String));
    const context = await fastify.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${login.body.data.access_token}`).expect(200);
    expect(JSON.stringify(context.body.data)).toContain('user_alice');
    expect(context.body.request_id).toBe(context.headers['x-request-id']);
    const anonymous = await send(fastifyPort, 'GET', '/api/v1/actor/context');
    expectEnvelope(anonymous, 401, 'AUTHENTICATION_REQUIRED');
    const forged = await send(fastifyPort, 'GET', '/api/v1/actor/context', { Authorization: 'Bearer not-a-token' });
    expectEnvelope(forged, 401, 'AUTHENTICATION_REQUIRED');
  });

  it('echoes a valid X-Request-ID on answers and errors, and replaces a bad one', async () => {
    const ok = await send(fastifyPort, 'GET', '/api/v1/health', { 'X-Request-ID': 'client-id-fastify' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text)).toEqual({ data: { status: 'ok' }, request_id: 'client-id-fastify', meta: { request_id: 'client-id-fastify' } });
    expect(ok.headers['x-request-id']).toBe('client-id-fastify');
    expect(ok.headers).toMatchObject(SECURITY);
    expect(ok.headers['x-powered-by']).toBeUndefined();
    const error = await send(fastifyPort, 'GET', '/api/v1/nothing-here', { 'X-Request-ID': 'client-id-404' });
    expect(expectEnvelope(error, 404, 'NOT_FOUND').request_id).toBe('client-id-404');
    const replaced = await send(fastifyPort, 'GET', '/api/v1/health', { 'X-Request-ID': 'has space' });
    expect(replaced.headers['x-request-id']).toMatch(/^req_[0-9a-f]{16}$/);
  });

  it('refuses bad JSON, prototype keys and unknown fields with 400', async () => {
    const post = (body: string) => send(fastifyPort, 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, body);
    expect(expectEnvelope(await post('{"email": '), 400, 'VALIDATION_FAILED').error.message).toBe('The request body is not valid JSON.');
    expectEnvelope(await post('{"__proto__": {"admin": true}, "email": "a@example.com", "password": "x"}'), 400, 'VALIDATION_FAILED');
    expectEnvelope(await post('{"constructor": {"prototype": {"admin": true}}}'), 400, 'VALIDATION_FAILED');
    const unknown = expectEnvelope(await post('{"email": "a@example.com", "password": "x", "definitely_not_a_field": true}'), 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(unknown.error.details)).toContain('definitely_not_a_field');
  });

  it('refuses a declared length over the limit with 413 before the body arrives', async () => {
    const answer = await declareLength(fastifyPort, '/api/v1/auth/login', 10_000_000);
    expect(expectEnvelope(answer, 413, 'PAYLOAD_TOO_LARGE').error.details).toEqual({ limit_bytes: 4096 });
    const sent = await send(fastifyPort, 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, JSON.stringify({ padding: 'x'.repeat(5000) }));
    expectEnvelope(sent, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('reads gzip bodies and refuses garbled or unknown encodings without a 5xx', async () => {
    const body = JSON.stringify({ email: 'gzip-probe@example.com', password: 'not-the-password' });
    const gzipped = await send(fastifyPort, 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, gzipSync(body));
    expectEnvelope(gzipped, 401, 'AUTHENTICATION_REQUIRED');
    const garbled = await send(fastifyPort, 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body);
    expectEnvelope(garbled, 400, 'VALIDATION_FAILED');
    const unknown = await send(fastifyPort, 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json', 'Content-Encoding': 'x-bogus' }, body);
    expectEnvelope(unknown, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers unknown routes 404 and wrong methods 405 in the envelope, with the security headers', async () => {
    expectEnvelope(await send(fastifyPort, 'GET', '/api/v1/nothing-here'), 404, 'NOT_FOUND');
    expectEnvelope(await send(fastifyPort, 'GET', '/elsewhere'), 404, 'NOT_FOUND');
    expectEnvelope(await send(fastifyPort, 'DELETE', '/api/v1/health'), 405, 'METHOD_NOT_ALLOWED');
    expectEnvelope(await send(fastifyPort, 'GET', '/api/v1/auth/login'), 405, 'METHOD_NOT_ALLOWED');
  });

  it('answers a CORS preflight 204 for an allowed origin only, and exposes the headers on answers', async () => {
    const allowed = await send(fastifyPort, 'OPTIONS', '/api/v1/auth/login', { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' });
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-allow-headers']).toContain('X-Plystra-API-Key');
    expect(allowed.headers['access-control-allow-methods']).toContain('PATCH');
    expect(allowed.headers).toMatchObject(SECURITY);
    const other = await send(fastifyPort, 'OPTIONS', '/api/v1/auth/login', { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'POST' });
    expect(other.status).toBe(204);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const answer = await send(fastifyPort, 'GET', '/api/v1/health', { Origin: 'https://app.example.com' });
    expect(answer.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(answer.headers['access-control-expose-headers']).toContain('X-Plystra-Error-Code');
    expect(answer.headers.vary).toContain('Origin');
  });

  it('takes the client IP from X-Forwarded-For only through trusted proxies', async () => {
    await send(fastifyPort, 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json', 'X-Forwarded-For': '203.0.113.9', 'X-Request-ID': 'ip-probe-fastify' }, JSON.stringify({ email: 'ip@example.com', password: 'x' }));
    const line = fastify.logs.find((l) => l.includes('"request_id":"ip-probe-fastify"') && l.includes('"msg":"request"'));
    expect(line).toContain('"remote_ip":"127.0.0.1"');
    expect(line).toContain('"path":"/api/v1/auth/login"');
    expect(line).toContain('"status_code":401');
  });

  it('answers a request Node cannot parse with the error envelope, as on Express', async () => {
    const fromFastify = await rawExchange(fastifyPort, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(fromFastify).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(fromFastify).toContain('X-Plystra-Error-Code: VALIDATION_FAILED');
    expect(fromFastify).toContain('X-Frame-Options: DENY');
    const fromExpress = await rawExchange(expressPort, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(fromFastify.replace(/req_[0-9a-f]{16}/g, 'req')).toBe(fromExpress.replace(/req_[0-9a-f]{16}/g, 'req'));
  });

  // Edge cases sent to both adapters: the answers must agree.
  const KEY_PLACEHOLDER = '<api key>';
  const KEY = { 'X-Plystra-API-Key': KEY_PLACEHOLDER };
  const probes: Array<[string, string, string, Record<string, string>?, string?]> = [
    ['health', 'GET', '/api/v1/health'],
    ['HEAD on a GET route', 'HEAD', '/api/v1/health'],
    ['upper-case path', 'GET', '/API/V1/HEALTH'],
    ['trailing slash', 'GET', '/api/v1/health/'],
    ['duplicate slash', 'GET', '//api/v1/health'],
    ['query string', 'GET', '/api/v1/health?x=1&x=2'],
    ['undecodable path', 'GET', '/api/v1/%zz'],
    ['undecodable parameter', 'GET', '/api/v1/users/%E0%A4%A'],
    ['long path parameter', 'GET', `/api/v1/users/${'u'.repeat(300)}`],
    ['unknown route outside the prefix', 'POST', '/elsewhere', { 'Content-Type': 'application/json' }, '{}'],
    ['OPTIONS without an origin', 'OPTIONS', '/api/v1/health'],
    ['wrong method with a body', 'PUT', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, '{}'],
    ['text/plain body', 'POST', '/api/v1/auth/login', { 'Content-Type': 'text/plain' }, 'hello'],
    ['form body', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'email=a%40b.c&password=x'],
    ['no content type', 'POST', '/api/v1/auth/login', {}, '{"email":"a@b.c","password":"x"}'],
    ['malformed content type', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json;;; charset' }, '{"email":"a@b.c","password":"x"}'],
    ['vendor JSON type', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/vnd.api+json' }, '{"email":"a@b.c","password":"x"}'],
    ['JSON with a charset', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json; charset=utf-8' }, '{"email":"a@b.c","password":"x"}'],
    ['unsupported charset', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json; charset=koi8-r' }, '{"email":"a@b.c","password":"x"}'],
    ['empty JSON body', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, ''],
    ['array body', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, '[1,2]'],
    ['null body', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, 'null'],
    ['prototype key', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, '{"__proto__":{"a":1}}'],
    ['deflate garbage', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json', 'Content-Encoding': 'deflate' }, 'not deflated'],
    ['brotli garbage', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json', 'Content-Encoding': 'br' }, 'not brotli'],
    ['double gzip declared', 'POST', '/api/v1/auth/login', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip, gzip' }, '{}'],
    ['body on DELETE', 'DELETE', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, '{"a":'],
    ['metrics without a token (outside the prefix)', 'GET', '/metrics'],
    ['metrics with its token (a raw answer)', 'GET', '/metrics', { 'X-Plystra-Metrics-Token': METRICS_TOKEN }],
    ['api docs JSON', 'GET', '/docs/openapi.json'],
    ['api docs page', 'GET', '/docs'],
    ['api docs stylesheet', 'GET', '/docs/swagger-ui.css'],
    ['api docs script', 'GET', '/docs/swagger-ui-bundle.js'],
    ['api docs icon', 'GET', '/docs/favicon-32x32.png'],
    ['unknown docs asset', 'GET', '/docs/nothing.js'],
    ['a list with its credential', 'GET', '/api/v1/audit/logs?limit=1', KEY],
    ['a list with a bad limit', 'GET', '/api/v1/audit/logs?limit=abc', KEY],
    ['a list with a repeated limit', 'GET', '/api/v1/audit/logs?limit=2&limit=3', KEY],
    ['a list with an undecodable cursor', 'GET', '/api/v1/audit/logs?cursor=%zz', KEY],
    ['a list with a bracketed parameter', 'GET', '/api/v1/audit/logs?limit[a]=1', KEY],
    ['a list with an unknown parameter', 'GET', '/api/v1/audit/logs?nope=1', KEY],
    ['an unknown audit id', 'GET', '/api/v1/audit/logs/audit_0000000000000000', KEY],
    ['an undecodable audit id', 'GET', '/api/v1/audit/logs/%E0%A4%A', KEY],
    ['a check with an empty body', 'POST', '/api/v1/authz/check', { ...KEY, 'Content-Type': 'application/json' }, '{}'],
    ['a check with wrong types', 'POST', '/api/v1/authz/check', { ...KEY, 'Content-Type': 'application/json' }, '{"actor": 1, "resource_type": [], "action": {}}'],
    ['docs asset outside its folder', 'GET', '/docs/..%2Fpackage.json'],
  ];

  it.each(probes)('answers alike on both adapters: %s', async (_name, method, path, given = {}, body) => {
    const headers = Object.fromEntries(Object.entries(given).map(([name, value]) => [name, value === KEY_PLACEHOLDER ? apiKey : value]));
    const [onExpress, onFastify] = await Promise.all([send(expressPort, method, path, headers, body), send(fastifyPort, method, path, headers, body)]);
    expect(onFastify.status).toBeLessThan(500);
    expect({ status: onFastify.status, code: errorCode(onFastify) }).toEqual({ status: onExpress.status, code: errorCode(onExpress) });
    expect(onFastify.headers).toMatchObject(SECURITY);
    expect(onFastify.headers['x-request-id']).toEqual(expect.any(String));
    expect(mediaType(onFastify.headers['content-type'])).toBe(mediaType(onExpress.headers['content-type']));
  });
});
