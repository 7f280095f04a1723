import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EMAIL_MAX_REQUEST_BYTES, EMAIL_SEND_PATH, EmailRefusalCodes } from '../email-contract.constants';
import type { EmailSendRequest, EmailSendResponse } from '../email-contract.types';
import { parseEmailSendRequest, refusalFor } from '../email-send-request.validation';

/**
 * How the server answers an authorised, valid send:
 * - `accept`: 200 `accepted:true` (a repeated idempotency key gets the first answer, delivered once);
 * - `reject`: 200 `accepted:false` with `error_code: TEST_REJECTED`;
 * - `error-500`: 500 with an error body;
 * - `hang`: never answers (until the server closes);
 * - `garbage`: 200 with a body that is not JSON.
 */
export type ContractTestBehaviour = 'accept' | 'reject' | 'error-500' | 'hang' | 'garbage';

export interface ContractTestServerOptions {
  token: string;
  /** One behaviour for every request, or one per request in order (the last one repeats). */
  behaviour?: ContractTestBehaviour | ContractTestBehaviour[];
  provider?: string;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  authorized: boolean;
  behaviour: ContractTestBehaviour | 'refused';
  status: number | null;
}

export interface ContractTestServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** `url` + the contract path. */
  endpoint: string;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** Messages delivered (accepted), once per idempotency key. */
  deliveries: EmailSendRequest[];
  setBehaviour(behaviour: ContractTestBehaviour | ContractTestBehaviour[]): void;
  close(): Promise<void>;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

type Written = { status: number; body: unknown } | { status: number; raw: string };
type Answer = Written | 'hang';

const refusal = (status: number, code: string, message: string, details: unknown = null): Written => ({ status, body: { error: { code, message, details } } });

function write(res: ServerResponse, answer: Written): void {
  const text = 'raw' in answer ? answer.raw : JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= EMAIL_MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > EMAIL_MAX_REQUEST_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A small provider that follows the contract (bearer check, validation, idempotency) and records
 * what it receives, for testing callers. Its answer to valid requests is chosen by `behaviour`.
 */
export async function startContractTestServer(options: ContractTestServerOptions): Promise<ContractTestServer> {
  const expected = digest(`Bearer ${options.token}`);
  const provider = options.provider ?? 'contract-test';
  const requests: ReceivedRequest[] = [];
  const deliveries: EmailSendRequest[] = [];
  const answered = new Map<string, EmailSendResponse>();
  let plan: ContractTestBehaviour[] = [];
  let served = 0;
  const setBehaviour = (behaviour: ContractTestBehaviour | ContractTestBehaviour[]) => {
    plan = Array.isArray(behaviour) ? [...behaviour] : [behaviour];
    served = 0;
  };
  setBehaviour(options.behaviour ?? 'accept');
  const nextBehaviour = () => plan[Math.min(served++, plan.length - 1)] ?? 'accept';

  const answer = (record: ReceivedRequest, text: string | null): Answer => {
    if (record.path !== EMAIL_SEND_PATH) return refusal(404, EmailRefusalCodes.NOT_FOUND, `No route matches ${record.method} ${record.path}.`);
    if (record.method !== 'POST') return refusal(405, EmailRefusalCodes.METHOD_NOT_ALLOWED, `${record.method} is not allowed.`);
    if (!record.authorized) return refusal(401, EmailRefusalCodes.AUTHENTICATION_REQUIRED, 'A valid capability token is required.');
    if (text === null) return refusal(413, EmailRefusalCodes.PAYLOAD_TOO_LARGE, 'The request body is too large.');
    if (typeof record.body === 'string') return refusal(400, EmailRefusalCodes.VALIDATION_FAILED, 'The request body is not valid JSON.');
    const parsed = parseEmailSendRequest(record.body);
    if (!parsed.ok) {
      const refused = refusalFor(parsed.problems);
      return refusal(400, refused.code, refused.message, refused.details);
    }
    const behaviour = nextBehaviour();
    record.behaviour = behaviour;
    const request = parsed.request;
    const messageId = request.message_id ?? `msg_${requests.length}`;
    switch (behaviour) {
      case 'hang':
        return 'hang';
      case 'garbage':
        return { status: 200, raw: '<html>not json' };
      case 'error-500':
        return refusal(500, 'INTERNAL_ERROR', 'The test provider failed.');
      case 'reject':
        return { status: 200, body: { accepted: false, message_id: messageId, provider, error_code: 'TEST_REJECTED', error_message: 'The test provider rejected the message.' } };
      case 'accept': {
        const key = request.idempotency_key;
        const previous = key ? answered.get(key) : undefined;
        if (previous) return { status: 200, body: previous };
        const response: EmailSendResponse = { accepted: true, message_id: messageId, provider, provider_message_id: `<test-${deliveries.length + 1}@contract.test>` };
        deliveries.push(request);
        if (key) answered.set(key, response);
        return { status: 200, body: response };
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    let body: unknown = text;
    try {
      body = text === null ? null : JSON.parse(text);
    } catch {
      body = text;
    }
    const authorized = timingSafeEqual(digest(req.headers.authorization ?? ''), expected);
    const record: ReceivedRequest = { method: req.method ?? '', path: (req.url ?? '/').split('?')[0], headers: req.headers, body, authorized, behaviour: 'refused', status: null };
    requests.push(record);
    const result = answer(record, text);
    if (result === 'hang') return;
    record.status = result.status;
    write(res, result);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) write(res, refusal(500, 'INTERNAL_ERROR', 'The test provider failed.'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    endpoint: `${url}${EMAIL_SEND_PATH}`,
    requests,
    deliveries,
    setBehaviour,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
