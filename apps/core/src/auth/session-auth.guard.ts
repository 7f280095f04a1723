import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError, requestContextOf } from '@plystra/http';
import { SessionService, type SessionRow } from '@plystra/session';
import { bearerToken } from './bearer';

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
    const token = bearerToken(req);
    if (!token) throw ApiError.of('AUTHENTICATION_REQUIRED', 'A bearer access token is required.');
    const check = await this.sessions.authenticate(token);
    if (check.status === 'expired') throw ApiError.of('SESSION_EXPIRED', 'The access token has expired; refresh the session.');
    if (check.status !== 'valid') throw ApiError.of('AUTHENTICATION_REQUIRED', 'The access token is not valid.');
    requestContextOf(req).credential = { type: 'session', session: check.session } satisfies SessionCredential;
    return true;
  }
}

export function sessionOf(credential: unknown): SessionRow {
  return (credential as SessionCredential).session;
}
