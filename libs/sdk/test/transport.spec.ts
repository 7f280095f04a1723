import {
  PlystraApiError, PlystraAuthError, PlystraAuthorizationError, PlystraClient, PlystraNetworkError, PlystraTimeoutError, PlystraValidationError,
} from '../src';
import { closedPortUrl, localServer } from './sdk-test-kit';

/**
 * Transport failures, against real sockets: a closed port, a server that never answers, and
 * servers that answer something other than the Plystra envelope (a proxy's HTML page…).
 */
describe('transport failures map to their error classes', () => {
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as PlystraApiError,
    );

  it('a refused connection is a PlystraNetworkError (status 0), not a timeout', async () => {
    const client = new PlystraClient({ baseUrl: await closedPortUrl(), timeoutMs: 5_000 });
    const started = Date.now();
    const error = await failure(client.system.health());
    expect(error).toBeInstanceOf(PlystraNetworkError);
    expect(error).toBeInstanceOf(PlystraApiError);
    expect(error).not.toBeInstanceOf(PlystraTimeoutError);
    expect(error).toMatchObject({ status: 0, code: 'NETWORK_ERROR', name: 'PlystraNetworkError' });
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.cause).toBeDefined();
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('a server that never answers is a PlystraTimeoutError after timeoutMs', async () => {
    let received = 0;
    const silent = await localServer(() => {
      received += 1; // hold the request open, never answer
    });
    try {
      const client = new PlystraClient({ baseUrl: silent.url, timeoutMs: 300 });
      const started = Date.now();
      const error = await failure(client.authz.check({ resource_type: 'invoice', resource_id: 'invoice_001', action: 'approve' }));
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(PlystraTimeoutError);
      expect(error).not.toBeInstanceOf(PlystraNetworkError);
      expect(error).toMatchObject({ status: 0, code: 'TIMEOUT' });
      expect(received).toBe(1);
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      await silent.close();
    }
  });

  it('a caller abort is a PlystraNetworkError with REQUEST_ABORTED', async () => {
    const silent = await localServer(() => undefined);
    try {
      const client = new PlystraClient({ baseUrl: silent.url, timeoutMs: 5_000 });
      const controller = new AbortController();
      const pending = failure(client.request({ method: 'GET', path: '/health', signal: controller.signal }));
      setTimeout(() => controller.abort(), 50);
      const error = await pending;
      expect(error).toBeInstanceOf(PlystraNetworkError);
      expect(error.code).toBe('REQUEST_ABORTED');
    } finally {
      await silent.close();
    }
  });

  it('answers without the Plystra envelope map to HTTP_ERROR / INVALID_JSON_RESPONSE, classed by status', async () => {
    const routes: Record<string, [number, string, string]> = {
      '/api/v1/html-502': [502, 'text/html', '<html><body>Bad gateway</body></html>'],
      '/api/v1/html-401': [401, 'text/html', '<h1>login first</h1>'],
      '/api/v1/json-403': [403, 'application/json', '{"message":"not the envelope"}'],
      '/api/v1/empty-400': [400, 'text/plain', ''],
      '/api/v1/text-200': [200, 'text/plain', 'OK'],
      '/api/v1/json-200-no-data': [200, 'application/json', '{"status":"ok"}'],
      '/api/v1/envelope-429': [429, 'application/json', '{"error":{"code":"AUTH_RATE_LIMITED","message":"slow down","details":{"retry_after_seconds":7},"request_id":"req_x"},"request_id":"req_x"}'],
      '/api/v1/envelope-403-deny': [403, 'application/json', '{"error":{"code":"AUTHORIZATION_DENIED","message":"no","details":null,"request_id":"req_y","deny_code":"SCOPE_OUT_OF_BOUNDS","trace_id":"trc_1","audit_log_id":"audit_1"},"request_id":"req_y"}'],
    };
    const server = await localServer((req, res) => {
      const [status, type, body] = routes[req.url ?? ''] ?? [404, 'text/plain', 'no'];
      res.writeHead(status, { 'Content-Type': type, 'X-Request-ID': 'req_from_header' });
      res.end(body);
    });
    try {
      const client = new PlystraClient({ baseUrl: server.url });
      const get = (path: string) => failure(client.request({ method: 'GET', path }));

      const html502 = await get('/html-502');
      expect(html502.constructor).toBe(PlystraApiError);
      expect(html502).toMatchObject({ status: 502, code: 'HTTP_ERROR', requestId: 'req_from_header', details: { body: '<html><body>Bad gateway</body></html>' } });

      const html401 = await get('/html-401');
      expect(html401).toBeInstanceOf(PlystraAuthError);
      expect(html401).toMatchObject({ status: 401, code: 'HTTP_ERROR' });

      const json403 = await get('/json-403');
      expect(json403).toBeInstanceOf(PlystraAuthorizationError);
      expect(json403).toMatchObject({ status: 403, code: 'HTTP_ERROR', details: { message: 'not the envelope' } });

      const empty400 = await get('/empty-400');
      expect(empty400).toBeInstanceOf(PlystraValidationError);
      expect(empty400).toMatchObject({ status: 400, code: 'HTTP_ERROR', details: null });

      const text200 = await get('/text-200');
      expect(text200.constructor).toBe(PlystraApiError);
      expect(text200).toMatchObject({ status: 200, code: 'INVALID_JSON_RESPONSE' });
      expect(await get('/json-200-no-data')).toMatchObject({ status: 200, code: 'INVALID_JSON_RESPONSE' });

      const limited = await get('/envelope-429');
      expect(limited).toMatchObject({ status: 429, code: 'AUTH_RATE_LIMITED', retryAfterSeconds: 7, requestId: 'req_x', message: 'slow down' });

      const denied = await get('/envelope-403-deny');
      expect(denied).toBeInstanceOf(PlystraAuthorizationError);
      expect(denied).toMatchObject({ code: 'AUTHORIZATION_DENIED', denyCode: 'SCOPE_OUT_OF_BOUNDS', traceId: 'trc_1', auditLogId: 'audit_1', requestId: 'req_y' });
    } finally {
      await server.close();
    }
  });

  it('fetchImpl (the published js-sdk option name) is used like fetch', async () => {
    const seen: string[] = [];
    const server = await localServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"data":{"status":"ok"},"request_id":"req_1"}');
    });
    try {
      const client = new PlystraClient({ baseUrl: server.url, fetchImpl: (url, init) => (seen.push(url), fetch(url, init)) });
      expect(await client.system.health()).toEqual({ status: 'ok' });
      expect(seen).toEqual([`${server.url}/api/v1/health`]);
    } finally {
      await server.close();
    }
  });

  it('completeAuth without completeAuthBaseUrl fails clearly, before any request', async () => {
    let calls = 0;
    const client = new PlystraClient({
      baseUrl: 'http://127.0.0.1:1',
      fetch: async () => {
        calls += 1;
        throw new Error('must not be called');
      },
    });
    await expect(client.completeAuth.login({ email: 'a@example.com', password: 'x' })).rejects.toThrow(/completeAuthBaseUrl is not configured/);
    expect(calls).toBe(0);
  });
});
