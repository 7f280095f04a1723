import { EmailMessage } from 'cloudflare:email';
import type { DurableObjectNamespace, ExecutionContext } from 'cloudflare:workers';
import {
  EMAIL_IDEMPOTENCY_WINDOW_MS, EmailDeliveryCodes, awaitSettledSend, canonicalJson, type EmailSendRequest, type EmailSendResponse,
} from '@plystra/email-contract';
import type { IdempotencyLedger } from './idempotency-ledger';
import { buildMimeMessage } from './mime-message';
import { Refusal, hex, sha256 } from './worker-http';

export interface SendEmailBinding {
  send(message: EmailMessage): Promise<unknown>;
}

export interface WorkerEnv {
  EMAIL_CAPABILITY_TOKEN?: string;
  SEND_EMAIL?: SendEmailBinding;
  IDEMPOTENCY?: DurableObjectNamespace<IdempotencyLedger>;
  /** Milliseconds a send may take before the answer is `accepted:false` (default 8000). */
  SEND_TIMEOUT_MS?: string;
}

export type ConfiguredEnv = WorkerEnv & Required<Pick<WorkerEnv, 'EMAIL_CAPABILITY_TOKEN' | 'SEND_EMAIL' | 'IDEMPOTENCY'>>;

export const PROVIDER = 'cloudflare';
export const CloudflareErrorCodes = {
  /** The binding refused the message (an unverified destination, a sender it does not allow…). */
  SEND_EMAIL_FAILED: 'SEND_EMAIL_FAILED',
  SEND_EMAIL_TIMEOUT: 'SEND_EMAIL_TIMEOUT',
} as const;

const DEFAULT_SEND_TIMEOUT_MS = 8_000;
const MIN_LEASE_MS = 60_000;

async function withDeadline<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function clean(text: unknown): string {
  return String(text ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 300);
}

/**
 * One send through the `send_email` binding: the raw message is built here, one EmailMessage per
 * recipient (the binding takes one destination). With an idempotency key the ledger Durable Object
 * makes it once per 24 hours, remembering which recipients were accepted so that a retry after a
 * partial failure sends only to the others. A failure is recorded as `failed` and retried by the
 * next request with the same key; only a delivery to every recipient is final.
 */
export class CloudflareEmailSender {
  private readonly sendTimeoutMs: number;

  constructor(
    private readonly env: ConfiguredEnv,
    private readonly ctx: ExecutionContext,
  ) {
    const configured = Number(env.SEND_TIMEOUT_MS);
    this.sendTimeoutMs = Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_SEND_TIMEOUT_MS;
  }

  async send(request: EmailSendRequest): Promise<EmailSendResponse> {
    const key = request.idempotency_key;
    const messageId = request.message_id ?? `msg_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const header = await this.messageIdHeader(request, key);
    if (!key) return this.attempt(request, messageId, header, new Set(), async () => undefined, (response) => response);

    const hash = hex(await sha256(canonicalJson(request)));
    const ledger = this.env.IDEMPOTENCY.get(this.env.IDEMPOTENCY.idFromName(key));
    const deadline = Date.now() + this.sendTimeoutMs;
    for (;;) {
      const claim = await ledger.claim(hash, Math.max(MIN_LEASE_MS, 4 * this.sendTimeoutMs), EMAIL_IDEMPOTENCY_WINDOW_MS);
      if (claim.claimed) {
        const { claimToken } = claim;
        return this.attempt(
          request,
          messageId,
          header,
          new Set(claim.sentTo),
          (recipient) => ledger.markSent(claimToken, recipient),
          async (response) => {
            await ledger.settle(claimToken, response.accepted ? 'delivered' : 'failed', response).catch(() => false);
            return response;
          },
        );
      }
      const record = await awaitSettledSend(claim.record, () => ledger.read(), hash, deadline, (status, code, message) => new Refusal(status, code, message));
      if (record === 'in-progress') {
        return this.failure(messageId, EmailDeliveryCodes.DELIVERY_IN_PROGRESS, 'A send with this idempotency key is still in progress; ask again later.');
      }
      if (record?.response) return record.response;
    }
  }

  /** Delivers, answering within the send timeout; `settle` records the final result whenever it comes. */
  private attempt(
    request: EmailSendRequest,
    messageId: string,
    header: string,
    alreadySent: Set<string>,
    markSent: (recipient: string) => Promise<void>,
    settle: (response: EmailSendResponse) => Promise<EmailSendResponse> | EmailSendResponse,
  ): Promise<EmailSendResponse> {
    const settled = this.deliver(request, messageId, header, alreadySent, markSent).then(settle);
    this.ctx.waitUntil(settled);
    return withDeadline(settled, this.sendTimeoutMs, () =>
      this.failure(messageId, CloudflareErrorCodes.SEND_EMAIL_TIMEOUT, `The send_email binding did not finish within ${this.sendTimeoutMs} ms.`),
    );
  }

  private async deliver(request: EmailSendRequest, messageId: string, header: string, alreadySent: Set<string>, markSent: (recipient: string) => Promise<void>): Promise<EmailSendResponse> {
    const raw = buildMimeMessage({ request, messageId: header, date: new Date(), boundary: `plystra-${crypto.randomUUID()}` });
    const recipients = [...new Set(request.to.map((r) => r.address))].filter((address) => !alreadySent.has(address));
    for (const recipient of recipients) {
      try {
        await this.env.SEND_EMAIL.send(new EmailMessage(request.from.address, recipient, raw));
      } catch (error) {
        return this.failure(messageId, CloudflareErrorCodes.SEND_EMAIL_FAILED, `The send_email binding refused the message: ${clean((error as Error)?.message ?? error)}`);
      }
      await markSent(recipient);
    }
    return { accepted: true, message_id: messageId, provider: PROVIDER, provider_message_id: header };
  }

  /** One Message-ID per idempotency key, so a retry carries the same one. */
  private async messageIdHeader(request: EmailSendRequest, key: string | undefined): Promise<string> {
    const domain = new URL(`http://${request.from.address.slice(request.from.address.lastIndexOf('@') + 1)}`).hostname;
    const local = key ? hex(await sha256(`plystra-email-message-id:${key}`)).slice(0, 32) : crypto.randomUUID();
    return `<${local}@${domain}>`;
  }

  private failure(messageId: string, code: string, message: string): EmailSendResponse {
    return { accepted: false, message_id: messageId, provider: PROVIDER, error_code: code, error_message: message };
  }
}
