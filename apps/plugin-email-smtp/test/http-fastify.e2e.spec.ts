import { EMAIL_MAX_BODY_BYTES, EMAIL_SEND_PATH } from '@plystra/email-contract';
import { startEmailSmtp, TEST_CAPABILITY_TOKEN, type EmailSmtpTestApp } from './email-smtp-test-app';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

const AUTH = `Bearer ${TEST_CAPABILITY_TOKEN}`;
const SECURITY = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };

/**
 * The SMTP provider on Fastify (PLYSTRA_HTTP_ADAPTER=fastify): its raw contract answer (no
 * envelope), its capability-token guard and its refusals answer as on Express.
 */
describe('plugin-email-smtp on Fastify against a real SMTP server', () => {
  let sink: SmtpSink;
  let provider: EmailSmtpTestApp;
  const message = (id: string) => ({
    message_id: id,
    idempotency_key: id,
    purpose: 'auth.email_code',
    from: { address: 'no-reply@plystra.example' },
    to: [{ address: 'zoe@example.org' }],
    subject: 'Your code',
    text: 'Your code is 123456.',
  });

  beforeAll(async () => {
    sink = await startSmtpSink();
    provider = await startEmailSmtp({ settings: { port: sink.port, send_timeout_ms: 2_000 }, env: { PLYSTRA_HTTP_ADAPTER: 'fastify' } });
  });
  afterAll(async () => {
    await provider?.close();
    await sink?.close();
  });

  it('runs on Fastify', () => {
    expect(provider.app.getHttpAdapter().getType()).toBe('fastify');
  });

  it('delivers and answers the contract JSON itself (no envelope), with the security headers', async () => {
    const res = await provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).send(message('authchal_00000000000f0001')).expect(200);
    expect(res.body).toEqual({ accepted: true, message_id: 'authchal_00000000000f0001', provider: 'smtp', provider_message_id: expect.any(String) });
    expect(res.headers).toMatchObject(SECURITY);
    expect(await sink.waitForMessages(1)).toHaveLength(1);
  });

  it('refuses a missing token, bad JSON, an unknown field, a wrong method, oversized bodies and an unknown path in the envelope', async () => {
    const cases: Array<[Promise<{ status: number; body: any; headers: Record<string, string> }>, number, string]> = [
      [provider.http.post(EMAIL_SEND_PATH).send(message('authchal_00000000000f0002')), 401, 'AUTHENTICATION_REQUIRED'],
      [provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).set('Content-Type', 'application/json').send('{"from": '), 400, 'VALIDATION_FAILED'],
      [provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).send({ ...message('authchal_00000000000f0003'), bcc: [] }), 400, 'VALIDATION_FAILED'],
      [provider.http.get(EMAIL_SEND_PATH).set('Authorization', AUTH), 405, 'METHOD_NOT_ALLOWED'],
      // Over Fastify's own default body limit (1 MiB) yet under the service's: read, then refused by the contract.
      [provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).send({ ...message('authchal_00000000000f0005'), text: 'x'.repeat(EMAIL_MAX_BODY_BYTES + 1) }), 400, 'MESSAGE_TOO_LARGE'],
      [provider.http.post(EMAIL_SEND_PATH).set('Authorization', AUTH).send({ ...message('authchal_00000000000f0006'), text: 'x'.repeat(3 * EMAIL_MAX_BODY_BYTES) }), 413, 'PAYLOAD_TOO_LARGE'],
      [provider.http.post('/contract/v1/email/other').set('Authorization', AUTH).send(message('authchal_00000000000f0004')), 404, 'NOT_FOUND'],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      expect({ status: res.status, code: res.body.error?.code, header: res.headers['x-plystra-error-code'] }).toEqual({ status, code, header: code });
      expect(res.headers).toMatchObject(SECURITY);
    }
    expect(sink.messages).toHaveLength(1);
  });
});
