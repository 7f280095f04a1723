import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { requestContextOf, bearerToken } from '@plystra/http';
import { SessionService, type SessionRow, requireSession } from '@plystra/session';

/** Requires a valid session bearer (minted by the plugin or by Core: one sessions table). */
@Injectable()
export class SessionAuthGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest();
    requestContextOf(req).credential = { type: 'session', session: await requireSession(this.sessions, bearerToken(req)) };
    return true;
  }
}

export function sessionOf(credential: unknown): SessionRow {
  return (credential as { session: SessionRow }).session;
}
