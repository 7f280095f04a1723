import { Injectable } from '@nestjs/common';
import type { RequestContext } from '@plystra/http';
import { AccountSessionsService, SessionFlows, SignInService, type LoginDto, type PasswordChangeDto, type SessionRow } from '@plystra/session';

const requestInfo = (ctx: RequestContext) => ({ requestId: ctx.requestId, ip: ctx.ip, userAgent: ctx.userAgent });

@Injectable()
export class AuthService {
  constructor(
    private readonly signIn: SignInService,
    private readonly flows: SessionFlows,
    private readonly account: AccountSessionsService,
  ) {}

  async login(dto: LoginDto, ctx: RequestContext) {
    const outcome = await this.signIn.passwordSignIn(dto.email, dto.password, { ip: ctx.ip, userAgent: ctx.userAgent });
    if (outcome.kind !== 'succeeded') throw outcome.error;
    return outcome.bundle;
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
