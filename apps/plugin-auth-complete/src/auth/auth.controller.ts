import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiCredentials, ApiEndpoint, BEARER_SCHEME, Ctx, type RequestContext, bearerToken } from '@plystra/http';
import { AuthService } from './auth.service';
import { LoginDto, LogoutDto, PasswordChangeDto, RefreshDto } from '@plystra/session';
import { RegisterDto } from './dto/auth.dto';
import { RegistrationService } from './registration.service';
import { SessionAuthGuard, sessionOf } from './session-auth.guard';

@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly registration: RegistrationService,
  ) {}

  @ApiEndpoint('Register a user account through Core', 'VALIDATION_FAILED', 'REGISTRATION_DISABLED', 'USER_CONFLICT', 'AUTH_RATE_LIMITED')
  @Post('register')
  register(@Body() dto: RegisterDto, @Ctx() ctx: RequestContext) {
    return this.registration.register(dto, ctx);
  }

  @ApiEndpoint('Sign in with email and password', 'VALIDATION_FAILED', 'AUTHENTICATION_REQUIRED', 'ACTIVE_MEMBER_REQUIRED', 'AUTH_RATE_LIMITED')
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Ctx() ctx: RequestContext) {
    return this.auth.login(dto, ctx);
  }

  @ApiEndpoint('Rotate a refresh token for a new session token pair', 'VALIDATION_FAILED', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED')
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() dto: RefreshDto, @Ctx() ctx: RequestContext) {
    return this.auth.refresh(dto.refresh_token, ctx);
  }

  @ApiEndpoint('Sign out (revoke the session)', 'VALIDATION_FAILED', 'AUTHENTICATION_REQUIRED')
  @Post('logout')
  @HttpCode(200)
  logout(@Body() dto: LogoutDto, @Req() req: unknown, @Ctx() ctx: RequestContext) {
    return this.auth.logout(bearerToken(req) ?? dto.refresh_token, ctx);
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
    return this.auth.changePassword(sessionOf(ctx.credential), dto, ctx);
  }

  @ApiEndpoint('List the signed-in user\'s active sessions (newest first, at most 100)', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED')
  @Get('sessions')
  @ApiCredentials(BEARER_SCHEME)
  @UseGuards(SessionAuthGuard)
  sessions(@Ctx() ctx: RequestContext) {
    return this.auth.sessions(sessionOf(ctx.credential));
  }

  @ApiEndpoint('End one of the signed-in user\'s sessions', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED', 'SESSION_NOT_FOUND')
  @Post('sessions/:session_id/revoke')
  @HttpCode(200)
  @ApiCredentials(BEARER_SCHEME)
  @UseGuards(SessionAuthGuard)
  revokeSession(@Param('session_id') sessionId: string, @Ctx() ctx: RequestContext) {
    return this.auth.revokeSession(sessionOf(ctx.credential), sessionId, ctx);
  }
}
