import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { AuthService } from './auth.service';
import { bearerToken } from './bearer';
import { LoginDto, LogoutDto, RefreshDto } from '@plystra/session';
import { RegisterDto } from './dto/auth.dto';
import { RegistrationService } from './registration.service';

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
}
