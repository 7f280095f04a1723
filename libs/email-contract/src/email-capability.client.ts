import { EMAIL_SEND_PATH } from './email-contract.constants';
import type { ContractProblem, EmailSendRequest, EmailSendResponse } from './email-contract.types';
import { emailSendRequestProblems } from './email-send-request.validation';
import { emailSendResponseProblems, isEmailContractErrorBody } from './email-send-response.validation';

export interface EmailCapabilityClientOptions {
  /** The provider's base URL, or the full `…/contract/v1/email/send` endpoint. */
  url: string;
  /** The capability token, sent as `Authorization: Bearer …` and nowhere else. */
  token: string;
  /** Per attempt, including reading the answer. */
  timeoutMs: number;
  /** Further attempts after the first; at most 2. */
  retries?: number;
  /** Wait before retry n is `backoffMs × 2^(n-1)`. */
  backoffMs?: number;
  fetch?: typeof fetch;
}

export const EmailClientFailureCodes = {
  /** The request broke the contract; nothing was sent. */
  REQUEST_INVALID: 'REQUEST_INVALID',
  TIMEOUT: 'TIMEOUT',
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** A non-2xx answer. */
  HTTP_ERROR: 'HTTP_ERROR',
  /** A 2xx whose body is not a contract answer. */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  /** A contract answer with `accepted: false`. */
  NOT_ACCEPTED: 'NOT_ACCEPTED',
} as const;

export type EmailClientFailureCode = (typeof EmailClientFailureCodes)[keyof typeof EmailClientFailureCodes];

export interface EmailSendFailure {
  code: EmailClientFailureCode;
  message: string;
  status?: number;
  /** The provider's `error.code` (4xx/5xx) or `error_code` (accepted:false). */
  provider_error_code?: string;
  problems?: ContractProblem[];
  retryable: boolean;
}

export type EmailSendOutcome =
  | { ok: true; response: EmailSendResponse; attempts: number; idempotency_key: string }
  | { ok: false; failure: EmailSendFailure; attempts: number; idempotency_key: string };

export const EMAIL_CLIENT_MAX_RETRIES = 2;
const MAX_RESPONSE_BYTES = 64 * 1024;
const RETRYABLE_STATUSES = new Set([408, 425, 429]);

function endpointOf(url: string): string {
  const parsed = new URL(url);
  if (!parsed.pathname.endsWith(EMAIL_SEND_PATH)) parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}${EMAIL_SEND_PATH}`;
  return parsed.toString();
}

function newIdempotencyKey(): string {
  return `email_${globalThis.crypto.randomUUID().replace(/-/g, '')}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends through an `email.transactional` provider: validates with the contract's own rules,
 * bounds every attempt by a timeout, and retries a failed or timed-out send at most twice with
 * backoff, always with the same idempotency key so the provider delivers once. Expected failures
 * come back as an outcome, never as a thrown error, and no text it returns contains the token.
 */
export class EmailCapabilityClient {
  private readonly endpoint: string;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: EmailCapabilityClientOptions) {
    if (!options.token) throw new Error('EmailCapabilityClient needs a capability token');
    if (!(options.timeoutMs > 0)) throw new Error('EmailCapabilityClient needs a positive timeoutMs');
    this.endpoint = endpointOf(options.url);
    this.retries = Math.min(Math.max(options.retries ?? EMAIL_CLIENT_MAX_RETRIES, 0), EMAIL_CLIENT_MAX_RETRIES);
    this.backoffMs = Math.max(options.backoffMs ?? 250, 0);
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  async send(request: EmailSendRequest): Promise<EmailSendOutcome> {
    const idempotencyKey = request.idempotency_key ?? newIdempotencyKey();
    const body = { ...request, idempotency_key: idempotencyKey };
    const problems = emailSendRequestProblems(body);
    if (problems.length > 0) {
      const failure = { code: EmailClientFailureCodes.REQUEST_INVALID, message: `The email request is not valid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}.`, problems, retryable: false };
      return { ok: false, failure, attempts: 0, idempotency_key: idempotencyKey };
    }
    const payload = JSON.stringify(body);
    let attempts = 0;
    for (;;) {
      attempts++;
      const result = await this.attempt(payload);
      if ('response' in result) return { ok: true, response: result.response, attempts, idempotency_key: idempotencyKey };
      if (!result.retryable || attempts > this.retries) return { ok: false, failure: result, attempts, idempotency_key: idempotencyKey };
      await sleep(this.backoffMs * 2 ** (attempts - 1));
    }
  }

  private async attempt(payload: string): Promise<{ response: EmailSendResponse } | EmailSendFailure> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    try {
      const res = await this.fetchImpl(this.endpoint, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: payload,
        signal: controller.signal,
        redirect: 'error',
      });
      const text = await readLimited(res);
      return this.interpret(res.status, text);
    } catch (error) {
      if (timedOut) return { code: EmailClientFailureCodes.TIMEOUT, message: `The email provider did not answer within ${this.options.timeoutMs} ms.`, retryable: true };
      const reason = this.redact(error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error));
      return { code: EmailClientFailureCodes.NETWORK_ERROR, message: `The email provider could not be reached (${reason}).`, retryable: true };
    } finally {
      clearTimeout(timer);
    }
  }

  private interpret(status: number, text: string | null): { response: EmailSendResponse } | EmailSendFailure {
    let body: unknown;
    try {
      body = text === null ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (status < 200 || status >= 300) {
      const providerCode = isEmailContractErrorBody(body) ? this.redact(body.error.code) : undefined;
      const providerMessage = isEmailContractErrorBody(body) ? `: ${this.redact(body.error.message).slice(0, 500)}` : '';
      return {
        code: EmailClientFailureCodes.HTTP_ERROR,
        message: `The email provider answered ${status}${providerCode ? ` ${providerCode}` : ''}${providerMessage}`,
        status,
        provider_error_code: providerCode,
        retryable: status >= 500 || RETRYABLE_STATUSES.has(status),
      };
    }
    const problems = emailSendResponseProblems(body);
    if (problems.length > 0) {
      return {
        code: EmailClientFailureCodes.INVALID_RESPONSE,
        message: `The email provider's answer is not a contract response (${problems.map((p) => `${p.field} ${p.message}`).join('; ')}).`,
        status,
        problems,
        retryable: true,
      };
    }
    const response = body as EmailSendResponse;
    if (!response.accepted) {
      const providerCode = response.error_code ? this.redact(response.error_code) : undefined;
      return {
        code: EmailClientFailureCodes.NOT_ACCEPTED,
        message: `The email provider did not accept the message${providerCode ? ` (${providerCode})` : ''}${response.error_message ? `: ${this.redact(response.error_message).slice(0, 500)}` : ''}`,
        status,
        provider_error_code: providerCode,
        retryable: true,
      };
    }
    return { response };
  }

  /** Text from the wire may echo what it was sent; the token never leaves through it. */
  private redact(text: string): string {
    return text.split(this.options.token).join('[redacted]');
  }
}

async function readLimited(res: Response): Promise<string | null> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_RESPONSE_BYTES) {
    await res.body?.cancel();
    return null;
  }
  const text = await res.text();
  return text.length > MAX_RESPONSE_BYTES ? null : text;
}
