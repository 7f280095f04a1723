import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EMAIL_SEND_PATH, EmailCapabilityClient, type EmailSendRequest } from '@plystra/email-contract';
import { startContractTestServer, type ContractTestServer } from '@plystra/email-contract/testing';

const TOKEN = 'cap_test_token_4f1d9c2b7a8e6d5c3b2a1f0e9d8c7b6a';

const request = (overrides: Partial<EmailSendRequest> = {}): EmailSendRequest => ({
  message_id: 'authchal_00112233aabbccdd',
  idempotency_key: 'authchal_00112233aabbccdd',
  purpose: 'auth.email_code',
  from: { address: 'no-reply@example.com', name: 'Plystra' },
  to: [{ address: 'alice@example.com' }],
  subject: 'Your code',
  text: 'Your code is 123456.',
  metadata: { challenge_id: 'authchal_00112233aabbccdd', delivery_method: 'email_code' },
  ...overrides,
});

const bodies = (server: ContractTestServer) => server.requests.map((r) => r.body as Record<string, unknown>);

describe('EmailCapabilityClient against a contract test server', () => {
  let server: ContractTestServer;
  beforeEach(async () => {
    server = await startContractTestServer({ token: TOKEN });
  });
  afterEach(() => server.close());

  it('sends with the bearer token and returns the accepted answer', async () => {
    const client = new EmailCapabilityClient({ url: server.url, token: TOKEN, timeoutMs: 2_000 });
    const outcome = await client.send(request());
    expect(outcome).toEqual({
      ok: true,
      attempts: 1,
      idempotency_key: 'authchal_00112233aabbccdd',
      response: { accepted: true, message_id: 'authchal_00112233aabbccdd', provider: 'contract-test', provider_message_id: '<test-1@contract.test>' },
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: EMAIL_SEND_PATH, authorized: true });
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(server.deliveries).toEqual([request()]);
  });

  it('accepts the full endpoint URL as well as the base URL', async () => {
    const client = new EmailCapabilityClient({ url: server.endpoint, token: TOKEN, timeoutMs: 2_000 });
    expect((await client.send(request())).ok).toBe(true);
    expect(server.requests[0].path).toBe(EMAIL_SEND_PATH);
  });

  it('gives up on an attempt after timeoutMs', async () => {
    server.setBehaviour('hang');
    const client = new EmailCapabilityClient({ url: server.url, token: TOKEN, timeoutMs: 300, retries: 0 });
    const started = performance.now();
    const outcome = await client.send(request());
    const elapsed = performance.now() - started;
    expect(outcome).toMatchObject({ ok: false, attempts: 1, failure: { code: 'TIMEOUT', retryable: true } });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('retries a timed-out and a failed attempt with the same idempotency key, and the message is delivered once', async () => {
    server.setBehaviour(['hang', 'error-500', 'accept']);
    const client = new EmailCapabilityClient({ url: server.url, token: TOKEN, timeoutMs: 300, backoffMs: 100 });
    const started = performance.now();
    const outcome = await client.send(request());
    const elapsed = performance.now() - started;
    expect(outcome).toMatchObject({ ok: true, attempts: 3 });
    expect(bodies(server).map((b) => b.idempotency_key)).toEqual(Array(3).fill('authchal_00112233aabbccdd'));
    expect(server.deliveries).toHaveLength(1);
    // 300 ms timeout + 100 ms backoff + the 500 + 200 ms backoff + the success.
    expect(elapsed).toBeGreaterThanOrEqual(590);
  });

  it('generates one idempotency key when the request has none and keeps it across retries', async () => {
    server.setBehaviour(['error-500', 'accept']);
    const client = new EmailCapabilityClient({ url: server.url, token: TOKEN, timeoutMs: 1_000, backoffMs: 10 });
    const outcome = await client.send(request({ idempotency_key: undefined }));
    const keys = bodies(server).map((b) => b.idempotency_key);
    expect(keys[0]).toMatch(/^email_[0-9a-f]{32}$/);
    expect(keys).toEqual([keys[0], keys[0]]);
    expect(outcome.idempotency_key).toBe(keys[0]);
  });

  it('retries at most twice, whatever it is told', async () => {
    server.setBehaviour('error-500');
    const client = new EmailCapabilityClient({ url: server.url, token: TOKEN, timeoutMs: 1_000, retries: 5, backoffMs: 1 });
    const outcome = await client.send(request());
    expect(outcome).toMatchObject({ ok: false, attempts: 3, failure: { code: 'HTTP_ERROR', status: 500, provider_error_code: 'INTERNAL_ERROR' } });
    expect(server.requests).toHaveLength(3);
  });

  it('reports accepted:false with the provider code after its retries', async () => {
    server.setBehaviour('reject');
    const client = new EmailCapabilityClient({ url: server.url, token: TOKEN, timeoutMs: 1_000, backoffMs: 1 });
    const outcome = await client.send(request());
    expect(outcome).toMatchObject({ ok: false, attempts: 3, failure: { code: 'NOT_ACCEPTED', provider_error_code: 'TEST_REJECTED' } });
  });

  it('treats a 2xx that is not a contract answer as a failure', async () => {
    server.setBehaviour('garbage');
    const client = new EmailCapabilityClient({ url: server.url, token: TOKEN, timeoutMs: 1_000, retries: 0 });
    expect(await client.send(request())).toMatchObject({ ok: false, failure: { code: 'INVALID_RESPONSE', status: 200 } });
  });

  it('does not retry a refusal: a wrong token is answered 401 once', async () => {
    const client = new EmailCapabilityClient({ url: server.url, token: `${TOKEN}-wrong`, timeoutMs: 1_000, backoffMs: 1 });
    const outcome = await client.send(request());
    expect(outcome).toMatchObject({ ok: false, attempts: 1, failure: { code: 'HTTP_ERROR', status: 401, provider_error_code: 'AUTHENTICATION_REQUIRED', retryable: false } });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses an invalid request itself, without a network call', async () => {
    const client = new EmailCapabilityClient({ url: server.url, token: TOKEN, timeoutMs: 1_000 });
    const outcome = await client.send(request({ subject: 'Hi\r\nBcc: victim@example.com' }));
    expect(outcome).toMatchObject({ ok: false, attempts: 0, failure: { code: 'REQUEST_INVALID', problems: [{ field: 'subject', code: 'HEADER_INJECTION' }] } });
    expect(server.requests).toHaveLength(0);
  });
});

describe('EmailCapabilityClient keeps the token out of what it returns', () => {
  let echo: Server;
  let echoUrl: string;
  beforeAll(async () => {
    // A hostile provider that echoes the Authorization header into every field it can.
    echo = createServer((req, res) => {
      const auth = String(req.headers.authorization);
      const status = req.url?.includes('refuse') ? 400 : 200;
      const body = status === 400
        ? { error: { code: `BAD_${auth}`, message: `you sent ${auth}` } }
        : { accepted: false, message_id: 'm', provider: 'echo', error_code: auth, error_message: `you sent ${auth}` };
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

  const failureText = async (url: string, timeoutMs = 1_000) => {
    const client = new EmailCapabilityClient({ url, token: TOKEN, timeoutMs, retries: 0 });
    const outcome = await client.send(request());
    expect(outcome.ok).toBe(false);
    return JSON.stringify(outcome);
  };

  it('in an accepted:false answer that echoes it', async () => {
    const text = await failureText(echoUrl);
    expect(text).toContain('Bearer [redacted]');
    expect(text).not.toContain(TOKEN);
  });

  it('in a refusal that echoes it', async () => {
    const text = await failureText(`${echoUrl}/refuse`);
    expect(text).toContain('you sent Bearer [redacted]');
    expect(text).not.toContain(TOKEN);
  });

  it('in network errors and timeouts', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await failureText(`http://127.0.0.1:${port}`);
    expect(refused).toContain('NETWORK_ERROR');
    expect(refused).not.toContain(TOKEN);

    const hanging = await startContractTestServer({ token: TOKEN, behaviour: 'hang' });
    try {
      const timedOut = await failureText(hanging.url, 200);
      expect(timedOut).toContain('TIMEOUT');
      expect(timedOut).not.toContain(TOKEN);
    } finally {
      await hanging.close();
    }
  });
});
