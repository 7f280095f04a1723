import { EMAIL_MAX_BODY_BYTES, EMAIL_SEND_PATH, type EmailSendRequest } from '@plystra/email-contract';
import { createTestDatabase } from '@plystra/db/testing';
import { startEmailSmtp, TEST_CAPABILITY_TOKEN, TEST_SMTP_PASSWORD, type EmailSmtpTestApp } from './email-smtp-test-app';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

const AUTH = `Bearer ${TEST_CAPABILITY_TOKEN}`;
let counter = 0;

const message = (overrides: Partial<EmailSendRequest> = {}): EmailSendRequest => {
  const id = `authchal_${(++counter).toString(16).padStart(16, '0')}`;
  return {
    message_id: id,
    idempotency_key: id,
    purpose: 'auth.email_code',
    from: { address: 'no-reply@plystra.example', name: 'Plystra Anmeldung' },
    to: [{ address: 'zoe@example.org', name: 'Zoë Ångström-Müller' }],
    subject: 'Ihr Code: 123456 — gültig 10 Minuten ✓',
    text: 'Ihr Anmeldecode lautet 123456. Grüße!',
    html: '<p>Ihr Anmeldecode lautet <b>123456</b>. Grüße! 日本語</p>',
    headers: { 'X-Plystra-Purpose': 'auth.email_code' },
    metadata: { challenge_id: id, delivery_method: 'email_code' },
    ...overrides,
  };
};

const idempotencyRows = (app: EmailSmtpTestApp, key: string) =>
  app.db.dataSource.query(`SELECT state, response, attempts FROM plugin_email_smtp_idempotency WHERE idempotency_key = $1`, [key]);

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

describe('plugin-email-smtp against a real SMTP server', () => {
  let sink: SmtpSink;
  let provider: EmailSmtpTestApp;
  const send = (body: unknown, auth = AUTH) => provider.http.post(EMAIL_SEND_PATH).set('Authorization', auth).send(body as object);

  beforeAll(async () => {
    sink = await startSmtpSink();
    provider = await startEmailSmtp({ settings: { port: sink.port, send_timeout_ms: 2_000 } });
  });
  afterAll(async () => {
    await provider.close();
    await sink.close();
  });
  beforeEach(() => {
    sink.messages.length = 0;
    sink.behave({});
  });

  it('delivers sender, recipient, subject, text, HTML and extra headers intact, non-ASCII included', async () => {
    const body = message({ to: [{ address: 'zoe@example.org', name: 'Zoë Ångström-Müller' }, { address: 'bob@example.com' }] });
    const res = await send(body).expect(200);
    expect(res.body).toEqual({ accepted: true, message_id: body.message_id, provider: 'smtp', provider_message_id: expect.stringMatching(/^<.+@plystra\.example>$/) });
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    const [mail] = await sink.waitForMessages(1);
    const parsed = mail.parsed!;
    expect(mail.envelope).toEqual({ from: 'no-reply@plystra.example', to: ['zoe@example.org', 'bob@example.com'] });
    expect(parsed.from?.value).toEqual([{ address: 'no-reply@plystra.example', name: 'Plystra Anmeldung' }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : null).toEqual([
      { address: 'zoe@example.org', name: 'Zoë Ångström-Müller' },
      { address: 'bob@example.com', name: '' },
    ]);
    expect(parsed.subject).toBe(body.subject);
    expect(parsed.text?.trim()).toBe(body.text);
    expect(parsed.html).toBe(body.html);
    expect(parsed.messageId).toBe(res.body.provider_message_id);
    expect(parsed.headers.get('x-plystra-purpose')).toBe('auth.email_code');
    expect(mail.raw).not.toContain(body.message_id);
    expect(parsed.headers.has('bcc')).toBe(false);
  });

  it('answers the same idempotency key twice with the first answer and delivers once', async () => {
    const body = message();
    const first = await send(body).expect(200);
    const second = await send(body).expect(200);
    expect(first.body.accepted).toBe(true);
    expect(second.body).toEqual(first.body);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.messages).toHaveLength(1);
    expect(await idempotencyRows(provider, body.idempotency_key!)).toEqual([{ state: 'delivered', response: first.body, attempts: 1 }]);
  });

  it('delivers once when duplicates arrive concurrently, and every duplicate gets the first answer', async () => {
    sink.behave({ stage: 'data', delayMs: 300 });
    const body = message();
    const answers = await Promise.all(Array.from({ length: 12 }, () => send(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
    expect(answers[0].body.accepted).toBe(true);
    for (const answer of answers) expect(answer.body).toEqual(answers[0].body);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.messages).toHaveLength(1);
  });

  it('refuses the same key for a different message with 409 and sends nothing more', async () => {
    const body = message();
    await send(body).expect(200);
    const res = await send({ ...body, subject: 'Another subject' }).expect(409);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(sink.messages).toHaveLength(1);
  });

  it('sends every request that carries no idempotency key', async () => {
    const body = message({ idempotency_key: undefined });
    await send(body).expect(200);
    await send(body).expect(200);
    expect(await sink.waitForMessages(2)).toHaveLength(2);
  });

  describe('refusals: each gets its 4xx and code, and nothing is sent or recorded', () => {
    const refusals: Array<[string, () => ReturnType<typeof send>, number, string]> = [
      ['no token', () => provider.http.post(EMAIL_SEND_PATH).send(message()), 401, 'AUTHENTICATION_REQUIRED'],
      ['a wrong token', () => send(message(), `Bearer ${TEST_CAPABILITY_TOKEN}x`), 401, 'AUTHENTICATION_REQUIRED'],
      ['the token under another scheme', () => send(message(), `Basic ${TEST_CAPABILITY_TOKEN}`), 401, 'AUTHENTICATION_REQUIRED'],
      ['CR/LF in from.address', () => send(message({ from: { address: 'no-reply@plystra.example\r\nBcc: x@evil.example' } })), 400, 'HEADER_INJECTION'],
      ['CR/LF in from.name', () => send(message({ from: { address: 'no-reply@plystra.example', name: 'Plystra\r\nBcc: x@evil.example' } })), 400, 'HEADER_INJECTION'],
      ['CR/LF in to.address', () => send(message({ to: [{ address: 'zoe@example.org\nBcc: x@evil.example' }] })), 400, 'HEADER_INJECTION'],
      ['CR/LF in to.name', () => send(message({ to: [{ address: 'zoe@example.org', name: 'Zoë\r\nBcc: x@evil.example' }] })), 400, 'HEADER_INJECTION'],
      ['CR/LF in the subject', () => send(message({ subject: 'Code\r\nBcc: x@evil.example' })), 400, 'HEADER_INJECTION'],
      ['CR/LF in a header value', () => send(message({ headers: { 'X-Note': 'a\r\nBcc: x@evil.example' } })), 400, 'HEADER_INJECTION'],
      ['CR/LF in a header name', () => send(message({ headers: { 'X-Note\r\nBcc': 'x@evil.example' } })), 400, 'HEADER_INJECTION'],
      ['a Bcc header', () => send(message({ headers: { Bcc: 'x@evil.example' } })), 400, 'HEADER_NOT_ALLOWED'],
      ['a Reply-To header', () => send(message({ headers: { 'Reply-To': 'x@evil.example' } })), 400, 'HEADER_NOT_ALLOWED'],
      ['a Content-Type header', () => send(message({ headers: { 'Content-Type': 'text/plain' } })), 400, 'HEADER_NOT_ALLOWED'],
      ['51 recipients', () => send(message({ to: Array.from({ length: 51 }, (_, i) => ({ address: `user${i}@example.org` })) })), 400, 'TOO_MANY_RECIPIENTS'],
      ['a body over 1 MiB', () => send(message({ text: 'x'.repeat(EMAIL_MAX_BODY_BYTES + 1), html: undefined })), 400, 'MESSAGE_TOO_LARGE'],
      ['a request over the size limit', () => send(message({ text: 'x'.repeat(3 * EMAIL_MAX_BODY_BYTES), html: undefined })), 413, 'PAYLOAD_TOO_LARGE'],
      ['malformed JSON', () => provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).set('Content-Type', 'application/json').send('{"from": {"address": '), 400, 'VALIDATION_FAILED'],
      ['a body that is not JSON', () => provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).set('Content-Type', 'text/plain').send('hello'), 400, 'VALIDATION_FAILED'],
      ['an unknown field', () => send({ ...message(), bcc: [{ address: 'x@evil.example' }] }), 400, 'VALIDATION_FAILED'],
      ['an invalid address', () => send(message({ to: [{ address: 'not-an-address' }] })), 400, 'INVALID_ADDRESS'],
    ];

    it.each(refusals)('%s', async (_name, request, status, code) => {
      const res = await request();
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.headers['x-plystra-error-code']).toBe(code);
      if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sink.messages).toHaveLength(0);
      const [{ count }] = await provider.db.dataSource.query(`SELECT count(*)::int AS count FROM plugin_email_smtp_idempotency WHERE idempotency_key = $1`, [`authchal_${counter.toString(16).padStart(16, '0')}`]);
      expect(count).toBe(0);
    });

    it('answers a wrong method with 405 and an unknown path with 404', async () => {
      expect((await provider.http.get(EMAIL_SEND_PATH).set('Authorization', AUTH)).status).toBe(405);
      expect((await provider.http.post('/contract/v1/email/other').set('Authorization', AUTH).send(message())).status).toBe(404);
    });
  });

  it('reports itself healthy while the SMTP server answers', async () => {
    const res = await provider.http.get('/health').expect(200);
    expect(res.body.data).toEqual({ status: 'ok', smtp: 'ok', database: 'ok' });
  });

  it('never writes the capability token or the SMTP password to its log', async () => {
    await send(message()).expect(200);
    const logs = provider.logs.join('');
    expect(logs).toContain('email sent');
    expect(logs).not.toContain(TEST_CAPABILITY_TOKEN);
    expect(logs).not.toContain(TEST_SMTP_PASSWORD);
  });
});

describe('plugin-email-smtp when the SMTP server fails', () => {
  const SEND_TIMEOUT_MS = 700;
  let sink: SmtpSink;
  let provider: EmailSmtpTestApp;
  const send = (body: unknown) => provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).send(body as object);
  const timed = async (body: unknown) => {
    const started = performance.now();
    const res = await send(body);
    return { res, ms: performance.now() - started };
  };

  beforeAll(async () => {
    sink = await startSmtpSink();
    provider = await startEmailSmtp({ settings: { port: sink.port, send_timeout_ms: SEND_TIMEOUT_MS, socket_timeout_ms: 1_500, connection_timeout_ms: 500, greeting_timeout_ms: 500 } });
  });
  afterAll(async () => {
    await provider.close();
    await sink.close();
  });
  beforeEach(() => {
    sink.messages.length = 0;
    sink.behave({});
  });

  it('answers a 5xx refusal with accepted:false SMTP_REJECTED, stores it as failed, and a retry delivers once', async () => {
    sink.behave({ stage: 'rcpt', reject: { code: 550, message: '5.1.1 Mailbox unknown' } });
    const body = message();
    const { res } = await timed(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: false, message_id: body.message_id, provider: 'smtp', error_code: 'SMTP_REJECTED' });
    expect(res.body.error_message).toContain('Mailbox unknown');
    expect(res.body.provider_message_id).toBeUndefined();
    expect(await idempotencyRows(provider, body.idempotency_key!)).toEqual([{ state: 'failed', response: res.body, attempts: 1 }]);
    expect(sink.messages).toHaveLength(0);

    sink.behave({});
    const retry = await send(body).expect(200);
    expect(retry.body).toMatchObject({ accepted: true, message_id: body.message_id });
    expect(await sink.waitForMessages(1)).toHaveLength(1);
    expect(await idempotencyRows(provider, body.idempotency_key!)).toEqual([{ state: 'delivered', response: retry.body, attempts: 2 }]);
  });

  it('answers a 5xx after DATA and a 4xx the same way', async () => {
    sink.behave({ stage: 'data', reject: { code: 554, message: '5.6.0 Message content rejected' } });
    expect((await send(message())).body).toMatchObject({ accepted: false, error_code: 'SMTP_REJECTED' });
    sink.behave({ stage: 'mail', reject: { code: 451, message: '4.3.0 Try again later' } });
    expect((await send(message())).body).toMatchObject({ accepted: false, error_code: 'SMTP_DEFERRED' });
    expect(sink.messages).toHaveLength(0);
  });

  it('answers a slow server within its timeout with SMTP_TIMEOUT, and never records a success it did not see', async () => {
    sink.behave({ stage: 'mail', delayMs: 4_000 });
    const body = message();
    const { res, ms } = await timed(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accepted: false, error_code: 'SMTP_TIMEOUT' });
    expect(ms).toBeGreaterThanOrEqual(SEND_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(SEND_TIMEOUT_MS + 600);
    const [row] = await idempotencyRows(provider, body.idempotency_key!);
    expect(row.state).not.toBe('delivered');
    const settled = await waitFor(() => idempotencyRows(provider, body.idempotency_key!), (rows) => rows[0]?.state !== 'pending');
    expect(settled[0]).toMatchObject({ state: 'failed', response: { accepted: false, error_code: 'SMTP_TIMEOUT' } });
    expect(sink.messages).toHaveLength(0);

    sink.behave({});
    expect((await send(body)).body).toMatchObject({ accepted: true });
    expect(await sink.waitForMessages(1)).toHaveLength(1);
  });

  it('when the server accepts after the timeout, the background attempt is recorded and a retry does not send again', async () => {
    sink.behave({ stage: 'data', delayMs: 1_200 });
    const body = message();
    const first = await timed(body);
    expect(first.res.body).toMatchObject({ accepted: false, error_code: 'SMTP_TIMEOUT' });
    expect(first.ms).toBeLessThan(SEND_TIMEOUT_MS + 600);
    const settled = await waitFor(() => idempotencyRows(provider, body.idempotency_key!), (rows) => rows[0]?.state !== 'pending');
    expect(settled[0].state).toBe('delivered');
    sink.behave({});
    const retry = await send(body).expect(200);
    expect(retry.body).toEqual(settled[0].response);
    expect(retry.body.accepted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.messages).toHaveLength(1);
  });

  it('answers a duplicate that arrives while the first attempt is still running with accepted:false, without sending', async () => {
    sink.behave({ stage: 'mail', delayMs: 2_500 });
    const body = message();
    const first = send(body).then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await timed(body);
    expect((await first).body).toMatchObject({ accepted: false, error_code: 'SMTP_TIMEOUT' });
    expect(second.res.body).toMatchObject({ accepted: false });
    expect(['DELIVERY_IN_PROGRESS', 'SMTP_TIMEOUT']).toContain(second.res.body.error_code);
    expect(second.ms).toBeLessThan(SEND_TIMEOUT_MS + 600);
    await waitFor(() => idempotencyRows(provider, body.idempotency_key!), (rows) => rows[0]?.state !== 'pending');
    expect(sink.messages).toHaveLength(0);
  });

  it('keeps serving after every failure', async () => {
    expect((await send(message())).body).toMatchObject({ accepted: true });
    await provider.http.get('/health').expect(200);
  });
});

describe('plugin-email-smtp when the SMTP server is down', () => {
  it('answers accepted:false SMTP_UNAVAILABLE within its timeout, reports 503 on /health, and delivers once the server is back', async () => {
    const probe = await startSmtpSink();
    const port = probe.port;
    await probe.close();
    const provider = await startEmailSmtp({ settings: { port, send_timeout_ms: 1_500, connection_timeout_ms: 500, health_timeout_ms: 500 } });
    try {
      const body = message();
      const started = performance.now();
      const res = await provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).send(body).expect(200);
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(res.body).toMatchObject({ accepted: false, error_code: 'SMTP_UNAVAILABLE', provider: 'smtp' });
      expect(await idempotencyRows(provider, body.idempotency_key!)).toEqual([{ state: 'failed', response: res.body, attempts: 1 }]);

      const health = await provider.http.get('/health').expect(503);
      expect(health.body.error.code).toBe('NOT_READY');
      expect(health.body.error.details.smtp).toMatchObject({ status: 'unavailable', code: 'SMTP_UNAVAILABLE' });
      expect(health.body.error.details.database).toEqual({ status: 'ok' });

      const sink = await startSmtpSink({ port });
      try {
        const retry = await provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).send(body).expect(200);
        expect(retry.body).toMatchObject({ accepted: true, message_id: body.message_id });
        expect(await sink.waitForMessages(1)).toHaveLength(1);
        await provider.http.get('/health').expect(200);
      } finally {
        await sink.close();
      }
    } finally {
      await provider.close();
    }
  });
});

describe('plugin-email-smtp transport settings', () => {
  it('authenticates with the password from the environment and uses default_sender as the envelope sender', async () => {
    const sink = await startSmtpSink({ auth: { user: 'relay-user', pass: TEST_SMTP_PASSWORD } });
    const db = await createTestDatabase();
    const provider = await startEmailSmtp({ db, settings: { port: sink.port, username: 'relay-user', default_sender: 'bounces@plystra.example' } });
    try {
      const res = await provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).send(message()).expect(200);
      expect(res.body.accepted).toBe(true);
      const [mail] = await sink.waitForMessages(1);
      expect(mail.envelope.from).toBe('bounces@plystra.example');
      expect(mail.parsed!.from?.value[0].address).toBe('no-reply@plystra.example');
    } finally {
      await provider.close();
    }
    const wrong = await startEmailSmtp({ db, settings: { port: sink.port, username: 'relay-user' }, env: { SMTP_PASSWORD: 'not-the-password' } });
    try {
      const res = await wrong.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).send(message()).expect(200);
      expect(res.body).toMatchObject({ accepted: false, error_code: 'SMTP_AUTH_FAILED' });
      expect(JSON.stringify(res.body) + wrong.logs.join('')).not.toContain('not-the-password');
    } finally {
      await wrong.close();
      await db.drop();
      await sink.close();
    }
  });
});
