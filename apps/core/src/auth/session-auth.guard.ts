import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { requestContextOf, bearerToken } from '@plystra/http';
import { SessionService, type SessionRow, requireSession } from '@plystra/session';

export interface SessionCredential {
  type: 'session';
  session: SessionRow;
}

/** Requires a valid session bearer; an expired one answers SESSION_EXPIRED so clients refresh. */
@Injectable()
export class SessionAuthGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest();
    const session = await requireSession(this.sessions, bearerToken(req));
    requestContextOf(req).credential = { type: 'session', session } satisfies SessionCredential;
    return true;
  }
}

export function sessionOf(credential: unknown): SessionRow {
  return (credential as SessionCredential).session;
}
