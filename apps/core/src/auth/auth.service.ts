import { Injectable } from '@nestjs/common';
import type { RequestContext } from '@plystra/http';
import { SessionFlows, SignInService, type LoginDto } from '@plystra/session';

const requestInfo = (ctx: RequestContext) => ({ requestId: ctx.requestId, ip: ctx.ip, userAgent: ctx.userAgent });

@Injectable()
export class AuthService {
  constructor(
    private readonly signIn: SignInService,
    private readonly flows: SessionFlows,
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
}
