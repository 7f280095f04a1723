import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { newId } from '@plystra/db';
import {
  EMAIL_IDEMPOTENCY_WINDOW_MS, EmailDeliveryCodes, awaitSettledSend, canonicalJson, parseEmailSendRequest, refusalFor,
  type EmailSendRequest, type EmailSendResponse,
} from '@plystra/email-contract';
import { ApiError, type Logger } from '@plystra/http';
import { LOGGER } from '../config/email-smtp-config.module';
import { SmtpErrorCodes } from '../delivery/smtp-failure';
import { SmtpTransport, type SmtpSendResult } from '../delivery/smtp-transport';
import { SMTP_SETTINGS } from '../settings/smtp-settings.module';
import type { SmtpSettings } from '../settings/smtp-settings';
import { IdempotencyRepository } from './idempotency.repository';

export const PROVIDER = 'smtp';
const PURGE_INTERVAL_MS = 10 * 60_000;
const MIN_LEASE_MS = 60_000;

/** Resolves with `promise`, or with `fallback()` once `ms` have passed. */
async function withDeadline<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One send: validate with the contract, deliver through SMTP within the send timeout, and with an
 * idempotency key deliver at most once per 24 hours. Only a delivery is final: a failed attempt is
 * stored as `failed`, which answers the duplicates that waited on it, and the next request with
 * the same key (the caller's retry) tries again. When the timeout passes first, the attempt goes
 * on in the background and its outcome is stored when it settles, so a retry never sends twice.
 */
@Injectable()
export class EmailSendService implements OnModuleInit, OnModuleDestroy {
  private readonly inFlight = new Set<Promise<unknown>>();
  private purgeTimer: NodeJS.Timeout | undefined;
  private readonly leaseMs: number;

  constructor(
    private readonly transport: SmtpTransport,
    private readonly ledger: IdempotencyRepository,
    @Inject(SMTP_SETTINGS) private readonly settings: SmtpSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.leaseMs = Math.max(MIN_LEASE_MS, 4 * settings.send_timeout_ms);
  }

  async send(body: unknown): Promise<EmailSendResponse> {
    const parsed = parseEmailSendRequest(body);
    if (!parsed.ok) {
      const refusal = refusalFor(parsed.problems);
      throw new ApiError(refusal.status, refusal.code, refusal.message, refusal.details);
    }
    const request = parsed.request;
    const messageId = request.message_id ?? newId('msg');
    if (!request.idempotency_key) return this.logged(request, await this.attempt(request, messageId, (response) => response), false);
    return this.sendOnce(request, messageId, request.idempotency_key);
  }

  private async sendOnce(request: EmailSendRequest, messageId: string, key: string): Promise<EmailSendResponse> {
    const hash = createHash('sha256').update(canonicalJson(request)).digest('hex');
    const deadline = Date.now() + this.settings.send_timeout_ms;
    for (;;) {
      const claim = await this.ledger.claim(key, hash, this.leaseMs, EMAIL_IDEMPOTENCY_WINDOW_MS);
      if (claim.claimed) {
        return this.logged(request, await this.attempt(request, messageId, (response) => this.record(key, claim.claimToken, response)), false);
      }
      const record = await awaitSettledSend(claim.record, () => this.ledger.find(key), hash, deadline, (status, code, message) => new ApiError(status, code, message));
      if (record === 'in-progress') {
        return this.logged(request, this.failure(messageId, EmailDeliveryCodes.DELIVERY_IN_PROGRESS, 'A send with this idempotency key is still in progress; ask again later.'), true);
      }
      if (record?.response) return this.logged(request, record.response, true);
    }
  }

  /**
   * Sends, and answers within the send timeout. `settle` runs on the final result whenever it
   * comes (before the answer when in time, in the background otherwise).
   */
  private attempt(request: EmailSendRequest, messageId: string, settle: (response: EmailSendResponse) => Promise<EmailSendResponse> | EmailSendResponse): Promise<EmailSendResponse> {
    const settled = this.transport.send(request).then((result) => settle(this.responseOf(messageId, result)));
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
    return withDeadline(settled, this.settings.send_timeout_ms, () =>
      this.failure(messageId, SmtpErrorCodes.SMTP_TIMEOUT, `The SMTP server did not complete the exchange within ${this.settings.send_timeout_ms} ms.`),
    );
  }

  private async record(key: string, claimToken: string, response: EmailSendResponse): Promise<EmailSendResponse> {
    try {
      const stored = await this.ledger.settle(key, claimToken, response.accepted ? 'delivered' : 'failed', response);
      if (!stored) this.logger.warn({ message_id: response.message_id }, 'the idempotency claim was taken over before the send settled');
    } catch (error) {
      this.logger.error({ message_id: response.message_id, err: { message: (error as Error).message } }, 'could not store the send outcome for its idempotency key');
    }
    return response;
  }

  private responseOf(messageId: string, result: SmtpSendResult): EmailSendResponse {
    if (!result.ok) return this.failure(messageId, result.failure.code, result.failure.message);
    if (result.rejected.length) this.logger.warn({ message_id: messageId, rejected_recipients: result.rejected.length }, 'the SMTP server refused some recipients');
    return { accepted: true, message_id: messageId, provider: PROVIDER, provider_message_id: result.messageId };
  }

  private failure(messageId: string, code: string, message: string): EmailSendResponse {
    return { accepted: false, message_id: messageId, provider: PROVIDER, error_code: code, error_message: message };
  }

  private logged(request: EmailSendRequest, response: EmailSendResponse, replayed: boolean): EmailSendResponse {
    const line = {
      message_id: response.message_id,
      purpose: request.purpose,
      recipients: request.to.length,
      accepted: response.accepted,
      provider_message_id: response.provider_message_id,
      error_code: response.error_code,
      replayed,
    };
    if (response.accepted) this.logger.info(line, 'email sent');
    else this.logger.warn(line, 'email not sent');
    return response;
  }

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => {
      this.ledger.purgeExpired().catch((error: Error) => this.logger.warn({ err: { message: error.message } }, 'could not purge expired idempotency keys'));
    }, PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  /** Lets attempts still running store their outcome before the database closes. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.purgeTimer);
    await withDeadline(Promise.allSettled([...this.inFlight]), this.settings.send_timeout_ms, () => []);
  }
}
