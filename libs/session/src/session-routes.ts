import { Body, type CanActivate, type ExecutionContext, Get, HttpCode, Injectable, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiCredentials, ApiEndpoint, BEARER_SCHEME, Ctx, type RequestContext, bearerToken, requestContextOf } from '@plystra/http';
import { AccountSessionsService } from './account-sessions';
import { SessionFlows, requireSession } from './session-flows';
import { LogoutDto, PasswordChangeDto, RefreshDto } from './session.dto';
import { SessionService, type SessionRow } from './session.service';

/** The request facts the session flows record. */
export const requestInfo = (ctx: RequestContext) => ({ requestId: ctx.requestId, ip: ctx.ip, userAgent: ctx.userAgent });
export const clientInfo = (ctx: RequestContext) => ({ ip: ctx.ip, userAgent: ctx.userAgent });

export interface SessionCredential {
  type: 'session';
  session: SessionRow;
}

/**
 * Requires a valid session bearer (minted by Core or by the plugin: one sessions table); an
 * expired one answers SESSION_EXPIRED so clients refresh.
 */
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

/**
 * The session routes Core and the plugin both serve under `auth`: refresh, logout, and the
 * signed-in user's password and sessions. Each service's own auth controller extends it (its path
 * prefix, its register and login, and Core's marking of routes that authenticate themselves).
 */
@Injectable()
export class SessionRoutes {
  constructor(
    private readonly flows: SessionFlows,
    private readonly account: AccountSessionsService,
  ) {}

  @ApiEndpoint('Rotate a refresh token for a new session token pair', 'VALIDATION_FAILED', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED')
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() dto: RefreshDto, @Ctx() ctx: RequestContext) {
    return this.flows.refresh(dto.refresh_token, requestInfo(ctx));
  }

  @ApiEndpoint('Sign out (revoke the session)', 'VALIDATION_FAILED', 'AUTHENTICATION_REQUIRED')
  @Post('logout')
  @HttpCode(200)
  logout(@Body() dto: LogoutDto, @Req() req: unknown, @Ctx() ctx: RequestContext) {
    return this.flows.logout(bearerToken(req) ?? dto.refresh_token, requestInfo(ctx));
  }

  @ApiEndpoint(
    'Change the signed-in user\'s password (the current one is required; every other session ends)',
    'VALIDATION_FAILED', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED', 'AUTH_RATE_LIMITED', [409, 'PASSWORD_NOT_SET'], 'CONFLICT',
  )
  @Post('password')
  @HttpCode(200)
  @ApiCredentials(BEARER_SCHEME)
  @UseGuards(SessionAuthGuard)
  changePassword(@Body() dto: PasswordChangeDto, @Ctx() ctx: RequestContext) {
    return this.account.changePassword(sessionOf(ctx.credential), dto.current_password, dto.new_password, requestInfo(ctx));
  }

  @ApiEndpoint('List the signed-in user\'s active sessions (newest first, at most 100)', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED')
  @Get('sessions')
  @ApiCredentials(BEARER_SCHEME)
  @UseGuards(SessionAuthGuard)
  sessions(@Ctx() ctx: RequestContext) {
    return this.account.list(sessionOf(ctx.credential));
  }

  @ApiEndpoint('End one of the signed-in user\'s sessions', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED', 'SESSION_NOT_FOUND')
  @Post('sessions/:session_id/revoke')
  @HttpCode(200)
  @ApiCredentials(BEARER_SCHEME)
  @UseGuards(SessionAuthGuard)
  revokeSession(@Param('session_id') sessionId: string, @Ctx() ctx: RequestContext) {
    return this.account.revoke(sessionOf(ctx.credential), sessionId, requestInfo(ctx));
  }
}
