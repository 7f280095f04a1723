import { Injectable } from '@nestjs/common';
import { PreparedStatement, insertAuditRows } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { type Actor, DuplicateEmailError, type LoginBundle, authAuditRow, provisionDefaultSpaceAccount, clientInfo, requestInfo } from '@plystra/session';
import { DataSource } from 'typeorm';
import { LiveSignIn } from '../auth/session.module';
import type { ConsumedChallenge } from '../challenges/challenge.repository';
import { SettingsStore } from '../settings/settings.store';
import { CODE_FAILED_MESSAGE, LINK_FAILED_MESSAGE } from './messages';

export interface PasswordlessSignInResult {
  bundle: LoginBundle;
  userId: string;
  actor: Actor;
  registered: boolean;
}

type UserRow = { id: string; email: string; status: string };

/** Marks an active user's address verified (the first time only), by id or by address. */
const markVerifiedBy = (where: string) => `UPDATE users SET email_verified_at = COALESCE(email_verified_at, now())
  WHERE ${where} AND status = 'active' AND deleted_at IS NULL
  RETURNING id, email, status`;

/**
 * Signs in the owner of a consumed challenge: the address is now verified. An address that had no
 * account when the email was sent gets one here, exactly as `register` makes it (user, member and
 * primary binding in space_default, no grant of any kind) but without a password.
 */
@Injectable()
export class PasswordlessSignIn {
  /** Every passwordless sign-in runs one of these. */
  private readonly markVerifiedStatements: Record<'id' | 'email', PreparedStatement<UserRow>>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly signIn: LiveSignIn,
    private readonly settings: SettingsStore,
  ) {
    this.markVerifiedStatements = {
      id: new PreparedStatement(dataSource, 'plugin_auth_mark_verified_by_id', markVerifiedBy('id = $1')),
      email: new PreparedStatement(dataSource, 'plugin_auth_mark_verified_by_email', markVerifiedBy('lower(email) = $1')),
    };
  }

  async complete(challenge: ConsumedChallenge, method: 'email_code' | 'magic_link', ctx: RequestContext): Promise<PasswordlessSignInResult> {
    const gone = () => ApiError.of('AUTHENTICATION_REQUIRED', method === 'email_code' ? CODE_FAILED_MESSAGE : LINK_FAILED_MESSAGE);
    if (challenge.user_id) return this.existing(await this.markVerified('id', challenge.user_id), ctx, gone);
    if (!this.settings.current.publicRegistrationEnabled) {
      return this.existing(await this.markVerified('email', challenge.email), ctx, () => ApiError.of('REGISTRATION_DISABLED', 'Registration is disabled.'));
    }
    try {
      return await this.dataSource.transaction(async (manager) => {
        const account = await provisionDefaultSpaceAccount(manager, { email: challenge.email, passwordHash: null, emailVerified: true, metadata: challenge.metadata });
        const actor = { user_id: account.userId, space_id: account.spaceId!, member_id: account.memberId!, user_member_id: account.userMemberId! };
        await insertAuditRows(manager, [
          authAuditRow({
            action: 'auth.register',
            userId: account.userId,
            actor,
            reason: `public registration by ${method === 'email_code' ? 'email code' : 'magic link'}`,
            details: { registration_mode: 'public', method, challenge_id: challenge.id },
            request: requestInfo(ctx),
          }),
        ]);
        const issued = await this.signIn.current().issue({ id: account.userId, email: account.email, status: 'active' }, clientInfo(ctx), manager);
        return { bundle: issued.bundle, userId: account.userId, actor: issued.bundle.actor, registered: true };
      });
    } catch (error) {
      // The account was created after the email left (another challenge, or register): sign it in.
      if (error instanceof DuplicateEmailError) return this.existing(await this.markVerified('email', challenge.email), ctx, gone);
      throw error;
    }
  }

  private async existing(user: UserRow | null, ctx: RequestContext, missing: () => ApiError): Promise<PasswordlessSignInResult> {
    if (!user) throw missing();
    const { bundle } = await this.signIn.current().issue(user, clientInfo(ctx));
    return { bundle, userId: user.id, actor: bundle.actor, registered: false };
  }

  /** Marks the address verified (first time only) for an active user; null when there is none. */
  private async markVerified(by: 'id' | 'email', value: string): Promise<UserRow | null> {
    const [row] = await this.markVerifiedStatements[by].rows([value]);
    return row ?? null;
  }
}
