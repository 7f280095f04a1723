import { ApiError } from '@plystra/http';
import { type AuditWriter, insertAuditRows } from '@plystra/db';
import type { DataSource } from 'typeorm';
import { normaliseEmail } from './actor';
import { authAuditRow } from './auth-audit';
import type { LoginThrottle } from './login-throttle';
import { type PasswordHasher, type PasswordPolicy, passwordPolicyProblem } from './password';
import type { SessionService, SessionRow, SessionSummary } from './session.service';
import type { RequestInfo } from './session-flows';

const SESSION_ID_SHAPE = /^sess_[0-9a-f]{64}$/;

export const WRONG_CURRENT_PASSWORD_MESSAGE = 'The current password is incorrect.';

export interface PasswordChangeResult {
  password_changed: true;
  password_changed_at: string;
  /** How many other sessions of the user were ended; the calling session stays. */
  other_sessions_revoked: number;
}

const actorOfSession = (s: SessionRow) => ({
  space_id: s.active_space_id ?? undefined,
  member_id: s.active_member_id ?? undefined,
  user_member_id: s.active_user_member_id ?? undefined,
});

/**
 * What a signed-in user does to their own account, the same for Core and the auth plugin:
 * change the password (ASVS 2.1.5/2.1.6: the current one is required and counts towards the
 * login throttle; every other session ends), list the active sessions and end one of them
 * (ASVS 3.3.4). `throttle` is a function so the plugin can hand in the one built from its live
 * settings.
 */
export class AccountSessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly passwords: PasswordHasher,
    private readonly throttle: () => LoginThrottle,
    private readonly policy: () => PasswordPolicy,
    private readonly audit: AuditWriter,
  ) {}

  async changePassword(session: SessionRow, currentPassword: string, newPassword: string, request: RequestInfo): Promise<PasswordChangeResult> {
    const throttle = this.throttle();
    const keys = { email: normaliseEmail(session.user_email), ip: request.ip ?? 'unknown' };
    const base = { userId: session.user_id, actor: actorOfSession(session), resourceType: 'user', resourceId: session.user_id, request };
    const lock = await throttle.check(keys);
    if (lock.locked) {
      await this.audit.write(authAuditRow({ ...base, action: 'auth.password_change.locked', decision: 'deny', reason: 'too many failed sign-ins; locked' }));
      throw ApiError.rateLimited(lock.retryAfterSeconds);
    }
    const problem = passwordPolicyProblem(newPassword, this.policy());
    if (problem) throw ApiError.validation(problem, [{ field: 'new_password', message: problem }]);

    const [user]: Array<{ password_hash: string | null }> = await this.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [session.user_id]);
    if (!user?.password_hash) {
      // A passwordless account (email code / magic link): setting a first password from a bearer
      // alone would let a stolen access token take the account over; refuse clearly.
      throw ApiError.conflict('PASSWORD_NOT_SET', 'This account has no password to change; it signs in by email code or magic link.');
    }
    const verified = await this.passwords.verify(currentPassword, user.password_hash);
    if (!verified.ok) {
      const after = await throttle.fail(keys);
      await this.audit.write(
        authAuditRow({ ...base, action: after.locked ? 'auth.password_change.locked' : 'auth.password_change.failed', decision: 'deny', reason: after.locked ? 'wrong current password; locked' : 'wrong current password' }),
      );
      if (after.locked) throw ApiError.rateLimited(after.retryAfterSeconds);
      throw ApiError.of('AUTHENTICATION_REQUIRED', WRONG_CURRENT_PASSWORD_MESSAGE);
    }
    const hash = await this.passwords.hash(newPassword);
    const result = await this.dataSource.transaction(async (manager) => {
      // Conditional on the hash just verified: of two concurrent changes, the second finds it gone.
      const [rows] = await manager.query(
        `UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1 AND password_hash = $3 RETURNING password_changed_at`,
        [session.user_id, hash, user.password_hash],
      );
      if (!rows[0]) return null;
      const revoked = await this.sessions.revokeOthersForUser(session.user_id, session.id, 'password_changed', manager);
      await insertAuditRows(manager, [
        authAuditRow({ ...base, action: 'auth.password_changed', reason: 'self-service password change; other sessions revoked', details: { other_sessions_revoked: revoked } }),
      ]);
      return { password_changed: true as const, password_changed_at: new Date(rows[0].password_changed_at).toISOString(), other_sessions_revoked: revoked };
    });
    if (!result) throw ApiError.conflict('CONFLICT', 'The password was changed by another request; sign in again.');
    await throttle.succeed(keys);
    return result;
  }

  list(session: SessionRow): Promise<SessionSummary[]> {
    return this.sessions.listForUser(session.user_id, session.id);
  }

  /** Ends one of the caller's own sessions; any other id (someone else's, revoked, unknown) is 404. */
  async revoke(session: SessionRow, sessionId: string, request: RequestInfo): Promise<{ revoked: true; session_id: string; current: boolean }> {
    // Anything not shaped like a session id cannot be one (and never reaches PostgreSQL: a NUL would be a 500).
    const revoked = SESSION_ID_SHAPE.test(sessionId) ? await this.sessions.revokeForUser(session.user_id, sessionId, 'revoked_by_user') : null;
    if (!revoked) throw new ApiError(404, 'SESSION_NOT_FOUND', 'No active session of yours has this id.');
    await this.audit.write(
      authAuditRow({ userId: session.user_id, actor: actorOfSession(session), action: 'auth.session.revoked', resourceType: 'session', resourceId: revoked.id, reason: 'the user ended one of their sessions', request }),
    );
    return { revoked: true, session_id: revoked.id, current: revoked.id === session.id };
  }
}
