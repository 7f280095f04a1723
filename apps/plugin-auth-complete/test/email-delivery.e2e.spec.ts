import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { type ContractTestServer, startContractTestServer } from '@plystra/email-contract/testing';
import { TEST_CAPABILITY_TOKEN, TEST_PASSWORD, TEST_SESSION_SECRET, concurrently, createUser, startPlugin, tokenOf, type PluginTestApp } from './plugin-test-app';

interface SentBody {
  message_id: string;
  idempotency_key: string;
  purpose: string;
  from: { address: string; name?: string };
  to: Array<{ address: string }>;
  subject: string;
  text: string;
  metadata: Record<string, string>;
  headers?: unknown;
}

describe('email delivery through the email.transactional contract', () => {
  let db: TestDatabase;
  let provider: ContractTestServer;
  let plugin: PluginTestApp;
  const issued: string[] = [];
  const bodies = () => provider.requests.map((r) => r.body as SentBody);
  const codeIn = (body: SentBody) => /sign-in code is (\d{6})\./.exec(body.text)![1];
  const linkIn = (body: SentBody) => /^(https:\/\/\S+)$/m.exec(body.text)![1];

  beforeAll(async () => {
    db = await createTestDatabase();
    provider = await startContractTestServer({ token: TEST_CAPABILITY_TOKEN });
    plugin = await startPlugin({
      db,
      settings: {
        email_delivery_mode: 'capability', email_capability_url: provider.url, email_capability_timeout: '400ms',
        email_from_address: 'auth@example.com', email_from_name: 'Example Auth', server_public_url: 'https://auth.example.com',
      },
    });
  });
  beforeEach(async () => {
    provider.requests.length = 0;
    provider.setBehaviour('accept');
    await db.dataSource.query(`DELETE FROM auth_rate_limits`);
  });
  afterAll(async () => {
    await plugin?.app.close();
    await provider?.close();
    await db?.drop();
  });

  it('posts the code to the provider with the challenge id as message id and idempotency key, and stores the provider id', async () => {
    const user = await createUser(db, 'uma@example.com');
    const res = await plugin.http.post('/api/v1/auth/email-code').send({ email: 'uma@example.com' }).expect(202);
    expect(res.body.data.email_delivery_mode).toBe('capability');
    expect(provider.requests).toHaveLength(1);
    const [request] = provider.requests;
    expect(request.headers.authorization).toBe(`Bearer ${TEST_CAPABILITY_TOKEN}`);
    const body = request.body as SentBody;
    const [challenge] = await db.dataSource.query(`SELECT id, status, provider_message_id FROM plugin_auth_challenges WHERE email = 'uma@example.com'`);
    expect(body).toMatchObject({
      message_id: challenge.id, idempotency_key: challenge.id, purpose: 'auth.email_code',
      from: { address: 'auth@example.com', name: 'Example Auth' }, to: [{ address: 'uma@example.com' }],
      metadata: { challenge_id: challenge.id, delivery_method: 'email_code' },
    });
    expect(body.headers).toBeUndefined();
    expect(challenge.provider_message_id).toBe('<test-1@contract.test>');
    const code = codeIn(body);
    issued.push(code);
    const signedIn = await plugin.http.post('/api/v1/auth/email-code/verify').send({ email: 'uma@example.com', code }).expect(200);
    expect(signedIn.body.data.user.id).toBe(user.userId);
    issued.push(signedIn.body.data.access_token, signedIn.body.data.refresh_token);
  });

  it('marks the challenge failed and answers 502 after the provider fails three times (two retries, one idempotency key)', async () => {
    await createUser(db, 'victor@example.com');
    provider.setBehaviour('error-500');
    const res = await plugin.http.post('/api/v1/auth/email-code').send({ email: 'victor@example.com' }).expect(502);
    expect(res.body.error.code).toBe('EMAIL_DELIVERY_FAILED');
    expect(provider.requests).toHaveLength(3);
    const keys = new Set(bodies().map((b) => b.idempotency_key));
    expect(keys.size).toBe(1);
    const [challenge] = await db.dataSource.query(`SELECT id, status FROM plugin_auth_challenges WHERE email = 'victor@example.com'`);
    expect(challenge).toEqual({ id: [...keys][0], status: 'failed' });
    // The code that never arrived does not work either.
    const code = codeIn(bodies()[0]);
    issued.push(code);
    await plugin.http.post('/api/v1/auth/email-code/verify').send({ email: 'victor@example.com', code }).expect(401);
    const [audit] = await db.dataSource.query(`SELECT decision FROM audit_logs WHERE action = 'auth.email_code.sent' AND resource_id = $1`, [challenge.id]);
    expect(audit.decision).toBe('deny');
  });

  it('recovers when a retry succeeds: one delivery, same key', async () => {
    await createUser(db, 'wendy@example.com');
    provider.setBehaviour(['error-500', 'accept']);
    await plugin.http.post('/api/v1/auth/magic-link').send({ email: 'wendy@example.com' }).expect(202);
    expect(provider.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(new Set(bodies().map((b) => b.idempotency_key)).size).toBe(1);
    const link = linkIn(bodies()[1]);
    expect(bodies()[1].metadata.delivery_method).toBe('magic_link');
    issued.push(tokenOf(link));
    const consumed = await plugin.http.post('/api/v1/auth/magic-link/consume').send({ token: tokenOf(link) }).expect(200);
    issued.push(consumed.body.data.access_token, consumed.body.data.refresh_token);
  });

  it('fails on garbage answers too', async () => {
    await createUser(db, 'xavier@example.com');
    provider.setBehaviour('garbage');
    await plugin.http.post('/api/v1/auth/magic-link').send({ email: 'xavier@example.com' }).expect(502);
    expect(provider.requests).toHaveLength(3);
    issued.push(tokenOf(linkIn(bodies()[0])));
  });

  it('times out a hanging provider without holding a database connection; the row is committed before the call', async () => {
    const emails = Array.from({ length: 6 }, (_, i) => `hang${i}@example.com`);
    for (const email of emails) await createUser(db, email);
    // A replica with a two-connection pool: six sends hang on the provider at once.
    const small = await startPlugin({ db, env: { DATABASE_POOL_SIZE: '2' } });
    try {
      provider.setBehaviour('hang');
      const started = Date.now();
      const sends = concurrently(6, (i) => small.http.post('/api/v1/auth/email-code').send({ email: emails[i] }));
      while (provider.requests.length < 6) await new Promise((resolve) => setTimeout(resolve, 10));
      // Every challenge is already committed while its email call is in flight.
      const [{ pending }] = await db.dataSource.query(`SELECT count(*)::int AS pending FROM plugin_auth_challenges WHERE email = ANY($1) AND status = 'pending'`, [emails]);
      expect(pending).toBe(6);
      // ...and the small pool still serves other requests at once.
      const t = Date.now();
      await small.http.get('/health').expect(200);
      await small.http.post('/api/v1/auth/magic-link/consume').send({ token: 'ply_ml_' + 'f'.repeat(64) }).expect(401);
      expect(Date.now() - t).toBeLessThan(300);
      const results = await sends;
      expect(results.map((r) => r.status)).toEqual(new Array(6).fill(502));
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 400);
      expect(provider.requests).toHaveLength(18);
      const [{ failed }] = await db.dataSource.query(`SELECT count(*)::int AS failed FROM plugin_auth_challenges WHERE email = ANY($1) AND status = 'failed'`, [emails]);
      expect(failed).toBe(6);
      for (const r of provider.requests) issued.push(codeIn(r.body as SentBody));
      small.logs.forEach((line) => plugin.logs.push(line));
    } finally {
      await small.app.close();
    }
  });

  it('contacts the provider only for addresses that get an email', async () => {
    await createUser(db, 'yara@example.com');
    await plugin.http.post('/api/v1/auth/email-code').send({ email: 'nobody-yara@example.com' }).expect(202);
    await plugin.http.post('/api/v1/auth/magic-link').send({ email: 'nobody-yara@example.com' }).expect(202);
    expect(provider.requests).toHaveLength(0);
    await plugin.http.post('/api/v1/auth/email-code').send({ email: 'yara@example.com' }).expect(202);
    expect(provider.requests).toHaveLength(1);
    issued.push(codeIn(bodies()[0]));
  });

  it('writes no code, token, password or capability token to the logs or the audit trail', async () => {
    await plugin.http.post('/api/v1/auth/login').send({ email: 'uma@example.com', password: TEST_PASSWORD }).expect(200);
    expect(issued.length).toBeGreaterThan(10);
    const logs = plugin.logs.join('');
    expect(logs).toContain('"path":"/api/v1/auth/email-code/verify"');
    expect(logs).toContain('email delivery failed');
    const audit = JSON.stringify(await db.dataSource.query(`SELECT * FROM audit_logs`));
    for (const haystack of [logs, audit]) {
      expect(haystack).not.toContain(TEST_CAPABILITY_TOKEN);
      expect(haystack).not.toContain(TEST_PASSWORD);
      expect(haystack).not.toContain(TEST_SESSION_SECRET);
      expect(haystack).not.toContain('argon2id$');
      for (const secret of issued) {
        if (/^\d{6}$/.test(secret)) expect(haystack).not.toMatch(new RegExp(`(?<![0-9])${secret}(?![0-9])`));
        else expect(haystack).not.toContain(secret);
      }
    }
  });
});

describe('production delivery rules', () => {
  let db: TestDatabase;
  let plugin: PluginTestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    // The URL only has to pass the production guard; the harness connects to the test database.
    plugin = await startPlugin({ db, env: { SERVER_MODE: 'production', DATABASE_URL: 'postgres://auth:not-default@db.internal/plystra', PLYSTRA_EMAIL_CAPABILITY_TOKEN: 'too-short' } });
    await createUser(db, 'zed@example.com', null);
  });
  afterAll(async () => {
    await plugin?.app.close();
    await db?.drop();
  });

  it('refuses log delivery in production: sends answer 503 and /health reports it', async () => {
    const send = await plugin.http.post('/api/v1/auth/email-code').send({ email: 'zed@example.com' }).expect(503);
    expect(send.body.error.code).toBe('EMAIL_DELIVERY_NOT_CONFIGURED');
    const health = await plugin.http.get('/health').expect(503);
    expect(health.body.error.code).toBe('NOT_READY');
    expect(health.body.error.details.checks.delivery.problems).toEqual([expect.stringMatching(/"log" is refused in production/)]);
    expect(await db.dataSource.query(`SELECT id FROM plugin_auth_challenges`)).toEqual([]);
  });

  it('requires an HTTPS endpoint, a sender and a 32+ character token in capability mode', async () => {
    await plugin.setSettings({ email_delivery_mode: 'capability', email_capability_url: 'http://mail.example.com' });
    const health = await plugin.http.get('/health').expect(503);
    expect(health.body.error.details.checks.delivery.problems).toEqual([
      expect.stringMatching(/must use https/), expect.stringMatching(/email_from_address is required/), expect.stringMatching(/at least 32 characters/),
    ]);
    await plugin.http.post('/api/v1/auth/magic-link').send({ email: 'zed@example.com' }).expect(503);
    expect(plugin.logs.join('')).not.toContain('too-short');
  });
});
