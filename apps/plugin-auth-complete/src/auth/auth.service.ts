import { Injectable } from '@nestjs/common';
import { AuditWriter } from '@plystra/db';
import type { RequestContext } from '@plystra/http';
import { AccountSessionsService, SessionFlows, authAuditRow, type LoginDto, type PasswordChangeDto, type SessionRow } from '@plystra/session';
import { clientInfo, requestInfo } from '../passwordless/request-info';
import { LiveSignIn } from './session.module';

/** Password login (libs/session's SignInService with the live limits), refresh, logout, and the account routes shared with Core. */
@Injectable()
export class AuthService {
  constructor(
    private readonly signIn: LiveSignIn,
    private readonly flows: SessionFlows,
    private readonly audit: AuditWriter,
    private readonly account: AccountSessionsService,
  ) {}

  async login(dto: LoginDto, ctx: RequestContext) {
    const outcome = await this.signIn.current().passwordSignIn(dto.email, dto.password, clientInfo(ctx));
    const request = requestInfo(ctx);
    if (outcome.kind === 'succeeded') {
      await this.audit.write(authAuditRow({ action: 'auth.login.succeeded', userId: outcome.user.id, actor: outcome.bundle.actor, resourceType: 'session', resourceId: outcome.sessionId, reason: 'password sign-in', details: { method: 'password' }, request }));
      return outcome.bundle;
    }
    const locked = outcome.kind === 'locked';
    await this.audit.write(
      authAuditRow({
        action: locked ? 'auth.login.locked' : 'auth.login.failed',
        userId: outcome.userId,
        decision: 'deny',
        reason: locked ? 'too many failed sign-ins; locked' : 'wrong email or password',
        details: { method: 'password' },
        request,
      }),
    );
    throw outcome.error;
  }

  refresh(refreshToken: string, ctx: RequestContext) {
    return this.flows.refresh(refreshToken, requestInfo(ctx));
  }

  logout(token: string | undefined, ctx: RequestContext) {
    return this.flows.logout(token, requestInfo(ctx));
  }

  changePassword(session: SessionRow, dto: PasswordChangeDto, ctx: RequestContext) {
    return this.account.changePassword(session, dto.current_password, dto.new_password, requestInfo(ctx));
  }

  sessions(session: SessionRow) {
    return this.account.list(session);
  }

  revokeSession(session: SessionRow, sessionId: string, ctx: RequestContext) {
    return this.account.revoke(session, sessionId, requestInfo(ctx));
  }
}
