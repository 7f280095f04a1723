import { Inject, Injectable } from '@nestjs/common';
import { EmailCapabilityClient } from '@plystra/email-contract';
import type { Logger } from '@plystra/http';
import { LOGGER, PLUGIN_CONFIG } from '../config/plugin-config.module';
import type { PluginConfig } from '../config/plugin-config';
import { SettingsStore } from '../settings/settings.store';
import { deliveryProblems } from './delivery-config';
import type { EmailContent } from './email-templates';

export interface OutgoingEmail extends EmailContent {
  challengeId: string;
  purpose: 'auth.email_code' | 'auth.magic_link';
  deliveryMethod: 'email_code' | 'magic_link';
  to: string;
  /** The code or token the message carries: kept out of every log line except log-mode delivery. */
  secret: string;
}

export type DeliveryResult = { ok: true; providerMessageId: string | null } | { ok: false; reason: string };

/** Retries after the first attempt (the contract's ceiling) and the wait before the first retry. */
const CAPABILITY_RETRIES = 2;
const CAPABILITY_BACKOFF_MS = 200;

/**
 * Sends challenge emails, always after the challenge's row is committed and never while holding a
 * database connection. `log` mode (development only) writes the message, code or link included,
 * to the service log: that line is the development delivery channel. `capability` mode posts to an
 * `email.transactional` provider through the contract client (timeout, at most two retries with
 * the challenge id as idempotency key); the capability token never reaches a log line.
 */
@Injectable()
export class EmailDeliveryService {
  constructor(
    private readonly settings: SettingsStore,
    @Inject(PLUGIN_CONFIG) private readonly config: PluginConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  problems(): string[] {
    return deliveryProblems(this.settings.current, { production: this.config.production, capabilityToken: this.config.emailCapabilityToken });
  }

  async deliver(email: OutgoingEmail): Promise<DeliveryResult> {
    const s = this.settings.current;
    if (s.emailDeliveryMode === 'log') {
      this.logger.info(
        {
          email_delivery: 'log',
          challenge_id: email.challengeId,
          purpose: email.purpose,
          to: email.to,
          from: s.emailFromAddress || null,
          subject: email.subject,
          text: email.text,
        },
        'email delivered to the service log (development delivery channel)',
      );
      return { ok: true, providerMessageId: null };
    }
    const client = new EmailCapabilityClient({
      url: s.emailCapabilityUrl,
      token: this.config.emailCapabilityToken!,
      timeoutMs: Math.round(s.emailCapabilityTimeoutSeconds * 1000),
      retries: CAPABILITY_RETRIES,
      backoffMs: CAPABILITY_BACKOFF_MS,
    });
    const outcome = await client.send({
      message_id: email.challengeId,
      idempotency_key: email.challengeId,
      purpose: email.purpose,
      from: s.emailFromName ? { address: s.emailFromAddress, name: s.emailFromName } : { address: s.emailFromAddress },
      to: [{ address: email.to }],
      subject: email.subject,
      text: email.text,
      html: email.html,
      metadata: { challenge_id: email.challengeId, delivery_method: email.deliveryMethod },
    });
    if (outcome.ok) {
      this.logger.info({ challenge_id: email.challengeId, purpose: email.purpose, attempts: outcome.attempts, provider: outcome.response.provider }, 'email accepted by the provider');
      return { ok: true, providerMessageId: outcome.response.provider_message_id ?? null };
    }
    this.logger.warn(
      { challenge_id: email.challengeId, purpose: email.purpose, attempts: outcome.attempts, failure: outcome.failure.code, status: outcome.failure.status, reason: outcome.failure.message.split(email.secret).join('[redacted]') },
      'email delivery failed',
    );
    return { ok: false, reason: outcome.failure.code };
  }
}
