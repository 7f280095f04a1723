import { Injectable } from '@nestjs/common';
import { AuditWriter } from '@plystra/db';
import type { RequestContext } from '@plystra/http';
import { authAuditRow, clientInfo, requestInfo, type LoginDto } from '@plystra/session';
import { LiveSignIn } from './session.module';

/** Password login (libs/session's SignInService with the live limits), audited; the other session routes are libs/session's SessionRoutes. */
@Injectable()
export class AuthService {
  constructor(
    private readonly signIn: LiveSignIn,
    private readonly audit: AuditWriter,
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
}
