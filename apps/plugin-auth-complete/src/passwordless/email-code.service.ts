import { Injectable } from '@nestjs/common';
import { AuditWriter, type AuditRow } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { authAuditRow, normaliseEmail, requestInfo } from '@plystra/session';
import { ChallengeRepository } from '../challenges/challenge.repository';
import { ChallengeSecrets } from '../challenges/challenge-secrets';
import { AuthLimitsService } from '../limits/auth-limits.service';
import { ChallengeSender } from './challenge-sender.service';
import type { EmailCodeSendDto, EmailCodeVerifyDto } from './dto/passwordless.dto';
import { PasswordlessSignIn } from './passwordless-sign-in.service';
import { CODE_FAILED_MESSAGE } from './messages';


/** Six-digit email codes: send (202) and verify (one conditional UPDATE, then sign-in). */
@Injectable()
export class EmailCodeService {
  constructor(
    private readonly sender: ChallengeSender,
    private readonly repository: ChallengeRepository,
    private readonly secrets: ChallengeSecrets,
    private readonly limits: AuthLimitsService,
    private readonly passwordless: PasswordlessSignIn,
    private readonly audit: AuditWriter,
  ) {}

  send(dto: EmailCodeSendDto, ctx: RequestContext) {
    return this.sender.send({ method: 'email_code', email: dto.email, metadata: dto.metadata }, ctx);
  }

  async verify(dto: EmailCodeVerifyDto, ctx: RequestContext) {
    const email = normaliseEmail(dto.email);
    const request = requestInfo(ctx);
    const lock = await this.limits.verifyLock(email, ctx.ip);
    if (lock.locked) throw ApiError.rateLimited(lock.retryAfterSeconds);

    const result = await this.repository.verifyCode(email, this.secrets.codeHashCandidates(email, dto.code));
    if (result.outcome !== 'consumed') {
      const after = await this.limits.recordVerifyFailure(email, ctx.ip);
      const rows: AuditRow[] = [];
      if (result.outcome !== 'none') {
        const about = { userId: result.userId, resourceType: 'auth_challenge', resourceId: result.challengeId, decision: 'deny' as const, request };
        rows.push(authAuditRow({ ...about, action: 'auth.login.failed', reason: 'wrong email code', details: { method: 'email_code', challenge_id: result.challengeId, attempts: result.attempts } }));
        if (result.outcome === 'locked') {
          rows.push(authAuditRow({ ...about, action: 'auth.email_code.locked', reason: 'too many wrong codes; the challenge is locked', details: { challenge_id: result.challengeId, attempts: result.attempts } }));
        }
      }
      if (after.locked) {
        rows.push(authAuditRow({ action: 'auth.login.locked', userId: result.outcome === 'none' ? null : result.userId, decision: 'deny', reason: 'too many failed sign-ins; locked', details: { method: 'email_code', retry_after_seconds: after.retryAfterSeconds }, request }));
      }
      await Promise.all(rows.map((row) => this.audit.write(row)));
      if (after.locked) throw ApiError.rateLimited(after.retryAfterSeconds);
      throw ApiError.of('AUTHENTICATION_REQUIRED', CODE_FAILED_MESSAGE);
    }

    const [done] = await Promise.all([this.passwordless.complete(result.challenge, 'email_code', ctx), this.limits.verifySucceeded(email, ctx.ip)]);
    await this.audit.write(
      authAuditRow({
        action: 'auth.email_code.verified',
        userId: done.userId,
        actor: done.actor,
        resourceType: 'auth_challenge',
        resourceId: result.challenge.id,
        reason: done.registered ? 'email verified by code; account created and signed in' : 'email verified by code; signed in',
        details: { challenge_id: result.challenge.id, registered: done.registered },
        request,
      }),
    );
    return { ...done.bundle, verified: true };
  }
}
