import { ApiError } from '@plystra/http';
import type { AuditWriter } from '@plystra/db';
import { authAuditRow } from './auth-audit';
import type { IssuedTokens, SessionRow, SessionService } from './session.service';

export interface RequestInfo {
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

const EXPIRED = 'The refresh token is invalid or expired.';

/**
 * The session of a bearer access token, or the refusal every service gives: none or unknown →
 * 401 AUTHENTICATION_REQUIRED; expired → 401 SESSION_EXPIRED (so clients refresh).
 */
export async function requireSession(sessions: SessionService, token: string | undefined): Promise<SessionRow> {
  if (!token) throw ApiError.of('AUTHENTICATION_REQUIRED', 'A bearer access token is required.');
  const check = await sessions.authenticate(token);
  if (check.status === 'expired') throw ApiError.of('SESSION_EXPIRED', 'The access token has expired; refresh the session.');
  if (check.status !== 'valid') throw ApiError.of('AUTHENTICATION_REQUIRED', 'The access token is not valid.');
  return check.session;
}

/**
 * Refresh and logout, the same for every service that mints sessions. Reuse of a rotated refresh
 * token after the grace window revokes the session and is audited.
 */
export class SessionFlows {
  constructor(
    private readonly sessions: SessionService,
    private readonly audit: AuditWriter,
  ) {}

  async refresh(refreshToken: string, request: RequestInfo): Promise<Omit<IssuedTokens, 'session_id'>> {
    const result = await this.sessions.rotate(refreshToken);
    if (result.status === 'rotated') {
      const { session_id: _id, ...tokens } = result.tokens;
      return tokens;
    }
    if (result.status === 'reuse_revoked') {
      const s = result.session;
      await this.audit.write(
        authAuditRow({
          action: 'auth.refresh.reuse_detected',
          userId: s.user_id,
          actor: { space_id: s.active_space_id ?? undefined, member_id: s.active_member_id ?? undefined, user_member_id: s.active_user_member_id ?? undefined },
          resourceType: 'session',
          resourceId: s.id,
          decision: 'deny',
          reason: 'a rotated refresh token was presented after the grace window; the session was revoked',
          request,
        }),
      );
    }
    throw ApiError.of('SESSION_EXPIRED', EXPIRED);
  }

  /** Always succeeds; revokes the session of whichever token is given. */
  async logout(token: string | undefined, request: RequestInfo): Promise<{ logged_out: true }> {
    if (token) {
      const revoked = await this.sessions.revokeByToken(token, 'logout');
      if (revoked) {
        await this.audit.write(authAuditRow({ action: 'auth.logout', userId: revoked.user_id, resourceType: 'session', resourceId: revoked.id, reason: 'the session was revoked by logout', request }));
      }
    }
    return { logged_out: true };
  }
}
