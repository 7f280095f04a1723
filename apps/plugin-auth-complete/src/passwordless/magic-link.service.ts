import { Inject, Injectable } from '@nestjs/common';
import { AuditWriter } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { authAuditRow, requestInfo } from '@plystra/session';
import { ChallengeRepository } from '../challenges/challenge.repository';
import { ChallengeSecrets } from '../challenges/challenge-secrets';
import { PLUGIN_CONFIG } from '../config/plugin-config.module';
import type { PluginConfig } from '../config/plugin-config';
import { AuthLimitsService } from '../limits/auth-limits.service';
import { SettingsStore } from '../settings/settings.store';
import { ChallengeSender } from './challenge-sender.service';
import type { MagicLinkConsumeDto, MagicLinkSendDto } from './dto/passwordless.dto';
import { checkRedirectUrl, handOffTarget } from './magic-link-url';
import { PasswordlessSignIn } from './passwordless-sign-in.service';
import { LINK_FAILED_MESSAGE } from './messages';


/** Magic links: send (202) and consume (one conditional UPDATE … RETURNING, then sign-in). */
@Injectable()
export class MagicLinkService {
  constructor(
    private readonly sender: ChallengeSender,
    private readonly repository: ChallengeRepository,
    private readonly secrets: ChallengeSecrets,
    private readonly limits: AuthLimitsService,
    private readonly passwordless: PasswordlessSignIn,
    private readonly settings: SettingsStore,
    private readonly audit: AuditWriter,
    @Inject(PLUGIN_CONFIG) private readonly config: PluginConfig,
  ) {}

  send(dto: MagicLinkSendDto, ctx: RequestContext) {
    let redirectUrl: string | null = null;
    if (dto.redirect_url !== undefined) {
      const check = checkRedirectUrl(dto.redirect_url, this.settings.current, this.config.production);
      if (!check.ok) throw ApiError.validation(check.problem, [{ field: 'redirect_url', message: check.problem }]);
      redirectUrl = check.url;
    }
    return this.sender.send({ method: 'magic_link', email: dto.email, metadata: dto.metadata, redirectUrl }, ctx);
  }

  async consume(dto: MagicLinkConsumeDto, ctx: RequestContext) {
    const lock = await this.limits.consumeLock(ctx.ip);
    if (lock.locked) throw ApiError.rateLimited(lock.retryAfterSeconds);
    const hashes = this.secrets.magicTokenCandidates(dto.token);
    const challenge = hashes ? await this.repository.consumeMagicLink(hashes) : null;
    if (!challenge) {
      const after = await this.limits.recordConsumeFailure(ctx.ip);
      if (after.locked) {
        await this.audit.write(authAuditRow({ action: 'auth.login.locked', userId: null, resourceType: 'ip', resourceId: ctx.ip, decision: 'deny', reason: 'too many failed magic-link consumes from this address', details: { method: 'magic_link', retry_after_seconds: after.retryAfterSeconds }, request: requestInfo(ctx) }));
        throw ApiError.rateLimited(after.retryAfterSeconds);
      }
      throw ApiError.of('AUTHENTICATION_REQUIRED', LINK_FAILED_MESSAGE);
    }
    const done = await this.passwordless.complete(challenge, 'magic_link', ctx);
    await this.audit.write(
      authAuditRow({
        action: 'auth.magic_link.consumed',
        userId: done.userId,
        actor: done.actor,
        resourceType: 'auth_challenge',
        resourceId: challenge.id,
        reason: done.registered ? 'magic link consumed; account created and signed in' : 'magic link consumed; signed in',
        details: { challenge_id: challenge.id, registered: done.registered },
        request: requestInfo(ctx),
      }),
    );
    return { ...done.bundle, redirect_url: handOffTarget(this.settings.current, challenge.redirect_url) };
  }
}
