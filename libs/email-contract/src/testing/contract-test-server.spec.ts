import { EMAIL_SEND_PATH } from '@plystra/email-contract';
import { startContractTestServer, type ContractTestServer } from '@plystra/email-contract/testing';

const TOKEN = 'cap_test_token_for_the_test_server_0123456789';
const message = { idempotency_key: 'k1', from: { address: 'a@example.com' }, to: [{ address: 'b@example.com' }], subject: 'Hi', text: 'Hello' };

describe('startContractTestServer', () => {
  let server: ContractTestServer;
  beforeEach(async () => {
    server = await startContractTestServer({ token: TOKEN });
  });
  afterEach(() => server.close());

  const post = (body: string, token = TOKEN, path = EMAIL_SEND_PATH) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

  it('answers a repeated idempotency key with the first answer and delivers once', async () => {
    const first = await (await post(JSON.stringify(message))).json();
    const second = await (await post(JSON.stringify(message))).json();
    expect(first).toMatchObject({ accepted: true, provider: 'contract-test' });
    expect(second).toEqual(first);
    expect(server.deliveries).toHaveLength(1);
  });

  it('refuses like a provider: 401, 400 with the refusal code, 400 for malformed JSON, 404', async () => {
    expect((await post(JSON.stringify(message), 'wrong')).status).toBe(401);
    const injected = await post(JSON.stringify({ ...message, subject: 'a\r\nBcc: x@example.com' }));
    expect(injected.status).toBe(400);
    expect(((await injected.json()) as { error: { code: string } }).error.code).toBe('HEADER_INJECTION');
    const malformed = await post('{"from":');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    expect((await post(JSON.stringify(message), TOKEN, '/other')).status).toBe(404);
    expect(server.requests.map((r) => [r.status, r.authorized])).toEqual([[401, false], [400, true], [400, true], [404, true]]);
    expect(server.deliveries).toHaveLength(0);
  });
});
