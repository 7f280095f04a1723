import { Inject, Injectable } from '@nestjs/common';
import { AuditWriter, PreparedStatement, governedJsonProblems, newId } from '@plystra/db';
import { emailAddressProblem } from '@plystra/email-contract';
import { ApiError, type RequestContext } from '@plystra/http';
import { authAuditRow, normaliseEmail, requestInfo } from '@plystra/session';
import { DataSource } from 'typeorm';
import { ChallengeRepository } from '../challenges/challenge.repository';
import { ChallengeSecrets, newEmailCode } from '../challenges/challenge-secrets';
import { PLUGIN_CONFIG } from '../config/plugin-config.module';
import type { PluginConfig } from '../config/plugin-config';
import { EmailDeliveryService } from '../delivery/email-delivery.service';
import { AuthLimitsService } from '../limits/auth-limits.service';
import { emailCodeMessage, magicLinkMessage } from '../delivery/email-templates';
import { SettingsStore } from '../settings/settings.store';
import { magicLinkBase, withToken } from './magic-link-url';
import { ResponseTiming } from './response-timing';

export type DeliveryMethod = 'email_code' | 'magic_link';

export interface SendRequest {
  method: DeliveryMethod;
  email: string;
  metadata?: Record<string, unknown>;
  /** Already checked against the allow-list (magic links only). */
  redirectUrl?: string | null;
}

export interface SendAnswer {
  accepted: true;
  expires_at: string;
  delivery_method: DeliveryMethod;
  email_delivery_mode: 'log' | 'capability';
}

/**
 * Creates and sends a challenge. The answer is the same 202 whether or not the address has an
 * account: the send limits count either way, and an address that gets nothing (no account and
 * public registration off) stores nothing, sends nothing, and waits about as long as a real send.
 * The row is committed before the email leaves; the email call holds no database connection.
 */
@Injectable()
export class ChallengeSender {
  /** The active account of an address, on every send. */
  private readonly activeUser: PreparedStatement<{ id: string }>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: SettingsStore,
    private readonly repository: ChallengeRepository,
    private readonly secrets: ChallengeSecrets,
    private readonly delivery: EmailDeliveryService,
    private readonly timing: ResponseTiming,
    private readonly audit: AuditWriter,
    private readonly limits: AuthLimitsService,
    @Inject(PLUGIN_CONFIG) private readonly config: PluginConfig,
  ) {
    this.activeUser = new PreparedStatement(dataSource, 'plugin_auth_active_user_by_email',
      `SELECT id FROM users WHERE lower(email) = $1 AND status = 'active' AND deleted_at IS NULL`);
  }

  async send(request: SendRequest, ctx: RequestContext): Promise<SendAnswer> {
    const startedAt = performance.now();
    const s = this.settings.current;
    if (request.metadata) {
      const problems = governedJsonProblems(request.metadata);
      if (problems.length) throw ApiError.validation(`metadata ${problems[0]}`, problems.map((message) => ({ field: 'metadata', message })));
    }
    if (this.delivery.problems().length) throw ApiError.of('EMAIL_DELIVERY_NOT_CONFIGURED', 'Email delivery is not configured; sign-in emails cannot be sent.');
    const linkBase = request.method === 'magic_link' ? magicLinkBase(s, request.redirectUrl ?? null, this.config.production ? null : `http://localhost:${this.config.port}`) : null;
    if (request.method === 'magic_link' && !linkBase) {
      throw ApiError.of('EMAIL_DELIVERY_NOT_CONFIGURED', 'Magic links need public_app_url or server_public_url to be set.');
    }

    const email = normaliseEmail(request.email);
    // An address the email contract refuses could never be delivered: a 400 now, not a failed send (502) later.
    const addressProblem = emailAddressProblem(email);
    if (addressProblem) throw ApiError.validation(`email ${addressProblem.message}`, [{ field: 'email', message: `email ${addressProblem.message}` }]);
    const [, userId] = await Promise.all([this.limits.consumeSend(email, ctx.ip), this.activeUserId(email)]);
    const ttlSeconds = request.method === 'email_code' ? s.emailCodeTtlSeconds : s.magicLinkTtlSeconds;
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const answer: SendAnswer = { accepted: true, expires_at: expiresAt.toISOString(), delivery_method: request.method, email_delivery_mode: s.emailDeliveryMode };
    if (!userId && !s.publicRegistrationEnabled) {
      await this.timing.padTo(request.method, startedAt);
      return answer;
    }

    const id = newId('authchal');
    const purpose = request.method === 'email_code' ? 'auth.email_code' : 'auth.magic_link';
    let secret: string;
    let content;
    if (request.method === 'email_code') {
      secret = newEmailCode();
      content = emailCodeMessage(secret, ttlSeconds);
    } else {
      secret = this.secrets.newMagicToken();
      content = magicLinkMessage(withToken(linkBase!, secret), ttlSeconds);
    }
    await this.repository.create({
      id,
      purpose,
      email,
      userId,
      secretHash: request.method === 'email_code' ? this.secrets.idHash(id) : this.secrets.magicTokenHash(secret),
      codeHash: request.method === 'email_code' ? this.secrets.codeHash(email, secret) : null,
      redirectUrl: request.redirectUrl ?? null,
      requestIp: ctx.ip,
      requestUserAgent: ctx.userAgent,
      maxAttempts: s.authChallengeMaxAttempts,
      expiresAt,
      metadata: request.metadata ?? {},
    });

    const result = await this.delivery.deliver({ ...content, challengeId: id, purpose, deliveryMethod: request.method, to: email, secret });
    const action = request.method === 'email_code' ? 'auth.email_code.sent' : 'auth.magic_link.sent';
    const auditRow = (decision: 'allow' | 'deny', reason: string) =>
      authAuditRow({
        action,
        userId,
        resourceType: 'auth_challenge',
        resourceId: id,
        decision,
        reason,
        details: { challenge_id: id, purpose, email_delivery_mode: s.emailDeliveryMode, expires_at: answer.expires_at, account_exists: userId !== null },
        request: requestInfo(ctx),
      });
    if (!result.ok) {
      await Promise.all([this.repository.markFailed(id), this.audit.write(auditRow('deny', `delivery failed (${result.reason}); the challenge is failed`))]);
      throw ApiError.of('EMAIL_DELIVERY_FAILED', 'The sign-in email could not be sent; try again later.');
    }
    await Promise.all([
      result.providerMessageId ? this.repository.markDelivered(id, result.providerMessageId) : null,
      this.audit.write(auditRow('allow', request.method === 'email_code' ? 'a sign-in code was sent' : 'a sign-in link was sent')),
    ]);
    this.timing.record(request.method, performance.now() - startedAt);
    return answer;
  }

  private async activeUserId(email: string): Promise<string | null> {
    const [row] = await this.activeUser.rows([email]);
    return row?.id ?? null;
  }
}
