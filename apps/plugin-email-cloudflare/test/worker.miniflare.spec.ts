import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { EMAIL_MAX_BODY_BYTES, EMAIL_SEND_PATH, type EmailSendRequest } from '@plystra/email-contract';
import { bundleEmailWorker, workspaceRoot } from '../src/bundle/worker-bundle';

const TOKEN = 'cf-capability-token-9b74c9897bac770ffc029102a200c5de';
const ALLOWED = ['zoe@example.org', 'bob@example.com'];
const BLOCKED = 'mallory@blocked.example';
const SENT_LINE = /send_email binding called with the following message:\s+(\S+\.eml)/;

const workerd = spawnSync(join(workspaceRoot(__dirname), 'node_modules/.bin/workerd'), ['--version'], { encoding: 'utf8' });
const unavailable = workerd.status === 0 ? null : `workerd cannot start on this machine: ${workerd.error?.message ?? workerd.stderr.trim()}`;
if (unavailable) console.warn(`${unavailable}; the Cloudflare worker tests under miniflare are skipped`);
const describeUnderWorkerd = unavailable ? describe.skip : describe;

/** Miniflare's log, kept: the send_email binding reports each message it takes there. */
class CapturedLog extends Log {
  readonly lines: string[] = [];
  constructor() {
    super(LogLevel.DEBUG);
  }
  override logWithLevel(_level: LogLevel, message: string): void {
    this.lines.push(message);
  }
}

let counter = 0;
const message = (overrides: Partial<EmailSendRequest> = {}): EmailSendRequest => {
  const id = `authchal_${(++counter).toString(16).padStart(16, '0')}`;
  return {
    message_id: id,
    idempotency_key: id,
    purpose: 'auth.magic_link',
    from: { address: 'no-reply@plystra.example', name: 'Plystra Anmeldung' },
    to: [{ address: 'zoe@example.org', name: 'Zoë Ångström' }],
    subject: 'Ihr Anmeldelink — gültig 10 Minuten ✓',
    text: 'Öffnen Sie https://app.example/magic?t=abc um sich anzumelden.',
    html: '<p>Öffnen Sie <a href="https://app.example/magic?t=abc">diesen Link</a>. 日本語</p>',
    headers: { 'X-Plystra-Purpose': 'auth.magic_link' },
    metadata: { challenge_id: id, delivery_method: 'magic_link' },
    ...overrides,
  };
};

function startWorker(log: CapturedLog, bindings: Record<string, string>): Miniflare {
  return new Miniflare({
    modules: true,
    script: bundleEmailWorker(),
    compatibilityDate: '2025-04-01',
    cf: false,
    bindings,
    email: { send_email: [{ name: 'SEND_EMAIL', allowed_destination_addresses: ALLOWED }] },
    durableObjects: { IDEMPOTENCY: 'IdempotencyLedger' },
    log,
  });
}

describeUnderWorkerd('plugin-email-cloudflare under workerd (miniflare)', () => {
  const log = new CapturedLog();
  let mf: Miniflare;
  let seen = 0;

  beforeAll(async () => {
    mf = startWorker(log, { EMAIL_CAPABILITY_TOKEN: TOKEN });
    await mf.ready;
  });
  afterAll(() => mf.dispose());

  const post = (body: unknown, auth = `Bearer ${TOKEN}`, contentType = 'application/json') =>
    mf.dispatchFetch(`http://provider.test${EMAIL_SEND_PATH}`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** Messages the binding took since the previous call, parsed back from the files it wrote. */
  async function sentSinceLastCheck(settleMs = 300): Promise<ParsedMail[]> {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const files = log.lines.map((line) => SENT_LINE.exec(line)?.[1]).filter((file): file is string => !!file);
    const fresh = files.slice(seen);
    seen = files.length;
    return Promise.all(fresh.map((file) => simpleParser(readFileSync(file))));
  }

  beforeEach(() => sentSinceLastCheck(0));

  it('builds the message and hands it to the send_email binding, non-ASCII intact', async () => {
    const body = message({ to: [{ address: 'zoe@example.org', name: 'Zoë Ångström' }, { address: 'bob@example.com' }] });
    const res = await post(body);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Record<string, string>;
    expect(answer).toEqual({ accepted: true, message_id: body.message_id, provider: 'cloudflare', provider_message_id: expect.stringMatching(/^<[0-9a-f]{32}@plystra\.example>$/) });
    const sent = await sentSinceLastCheck();
    expect(sent).toHaveLength(2);
    for (const mail of sent) {
      expect(mail.from?.value).toEqual([{ address: 'no-reply@plystra.example', name: 'Plystra Anmeldung' }]);
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([
        { address: 'zoe@example.org', name: 'Zoë Ångström' },
        { address: 'bob@example.com', name: '' },
      ]);
      expect(mail.subject).toBe(body.subject);
      expect(mail.text).toBe(body.text);
      expect(mail.html).toBe(body.html);
      expect(mail.messageId).toBe(answer.provider_message_id);
      expect(mail.headers.get('x-plystra-purpose')).toBe('auth.magic_link');
    }
  });

  it('answers the same idempotency key twice with the first answer and sends once', async () => {
    const body = message();
    const first = await (await post(body)).json();
    const second = await (await post(body)).json();
    expect(second).toEqual(first);
    expect(await sentSinceLastCheck()).toHaveLength(1);
  });

  it('sends once when duplicates arrive concurrently, and all get the same answer', async () => {
    const body = message();
    const answers = await Promise.all(Array.from({ length: 8 }, async () => (await post(body)).json()));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ accepted: true });
    expect(await sentSinceLastCheck()).toHaveLength(1);
  });

  it('refuses the same key for a different message with 409', async () => {
    const body = message();
    await post(body);
    const res = await post({ ...body, subject: 'Something else' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await sentSinceLastCheck()).toHaveLength(1);
  });

  it('answers a binding refusal with accepted:false, and a retry sends only to the recipients still missing', async () => {
    const body = message({ to: [{ address: 'zoe@example.org' }, { address: BLOCKED }] });
    const first = (await (await post(body)).json()) as Record<string, string>;
    expect(first).toMatchObject({ accepted: false, provider: 'cloudflare', error_code: 'SEND_EMAIL_FAILED' });
    expect(first.error_message).toContain('not allowed');
    expect((await sentSinceLastCheck()).map((m) => m.messageId)).toHaveLength(1);
    const retry = await (await post(body)).json();
    expect(retry).toMatchObject({ accepted: false, error_code: 'SEND_EMAIL_FAILED' });
    expect(await sentSinceLastCheck()).toHaveLength(0);
  });

  const refusals: Array<[string, () => Promise<Response>, number, string]> = [
    ['no token', () => post(message(), ''), 401, 'AUTHENTICATION_REQUIRED'],
    ['a wrong token', () => post(message(), `Bearer ${TOKEN}x`), 401, 'AUTHENTICATION_REQUIRED'],
    ['CR/LF in the subject', () => post(message({ subject: 'Hi\r\nBcc: x@evil.example' })), 400, 'HEADER_INJECTION'],
    ['CR/LF in from.name', () => post(message({ from: { address: 'no-reply@plystra.example', name: 'P\nBcc: x@evil.example' } })), 400, 'HEADER_INJECTION'],
    ['CR/LF in to.address', () => post(message({ to: [{ address: 'zoe@example.org\r\nBcc: x@evil.example' }] })), 400, 'HEADER_INJECTION'],
    ['CR/LF in a header value', () => post(message({ headers: { 'X-Note': 'a\r\nBcc: x@evil.example' } })), 400, 'HEADER_INJECTION'],
    ['a Bcc header', () => post(message({ headers: { Bcc: 'x@evil.example' } })), 400, 'HEADER_NOT_ALLOWED'],
    ['51 recipients', () => post(message({ to: Array.from({ length: 51 }, (_, i) => ({ address: `u${i}@example.org` })) })), 400, 'TOO_MANY_RECIPIENTS'],
    ['a body over 1 MiB', () => post(message({ text: 'x'.repeat(EMAIL_MAX_BODY_BYTES + 1), html: undefined })), 400, 'MESSAGE_TOO_LARGE'],
    ['a request over the size limit', () => post(message({ text: 'x'.repeat(3 * EMAIL_MAX_BODY_BYTES), html: undefined })), 413, 'PAYLOAD_TOO_LARGE'],
    ['malformed JSON', () => post('{"from": '), 400, 'VALIDATION_FAILED'],
    ['a body that is not JSON', () => post('hello', `Bearer ${TOKEN}`, 'text/plain'), 400, 'VALIDATION_FAILED'],
  ];

  it.each(refusals)('refuses %s with its 4xx and code, and sends nothing', async (_name, request, status, code) => {
    const res = await request();
    expect(res.status).toBe(status);
    expect(res.headers.get('x-plystra-error-code')).toBe(code);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(await sentSinceLastCheck(50)).toHaveLength(0);
  });

  it('answers 405 and 404 off the contract route, and reports itself healthy', async () => {
    expect((await mf.dispatchFetch(`http://provider.test${EMAIL_SEND_PATH}`)).status).toBe(405);
    expect((await mf.dispatchFetch('http://provider.test/elsewhere', { method: 'POST' })).status).toBe(404);
    const health = await mf.dispatchFetch('http://provider.test/health');
    expect(health.status).toBe(200);
    expect(((await health.json()) as { data: unknown }).data).toEqual({ status: 'ok' });
  });

  it('never writes the capability token to its log', () => {
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.join('\n')).not.toContain(TOKEN);
  });
});

describeUnderWorkerd('plugin-email-cloudflare without its token', () => {
  it('refuses to send and reports why on /health', async () => {
    const mf = startWorker(new CapturedLog(), {});
    try {
      const send = await mf.dispatchFetch(`http://provider.test${EMAIL_SEND_PATH}`, { method: 'POST', body: JSON.stringify(message()), headers: { 'content-type': 'application/json' } });
      expect(send.status).toBe(503);
      expect(((await send.json()) as { error: { code: string } }).error.code).toBe('EMAIL_DELIVERY_NOT_CONFIGURED');
      const health = await mf.dispatchFetch('http://provider.test/health');
      expect(health.status).toBe(503);
      expect(((await health.json()) as { error: { message: string } }).error.message).toContain('EMAIL_CAPABILITY_TOKEN is not set');
    } finally {
      await mf.dispose();
    }
  });
});
