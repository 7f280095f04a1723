import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Public } from '../access/access.decorators';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { AuthService } from './auth.service';
import { AccountSessionsService, LoginDto, SessionFlows, SessionRoutes } from '@plystra/session';
import { RegisterDto } from './dto/auth.dto';
import { RegistrationService } from './registration.service';

/**
 * Public routes authenticate themselves. Register and login are Core's; refresh, logout and the
 * account routes (which require a session bearer) are libs/session's SessionRoutes, shared with the plugin.
 */
@Public()
@Controller('auth')
export class AuthController extends SessionRoutes {
  constructor(
    private readonly auth: AuthService,
    private readonly registration: RegistrationService,
    flows: SessionFlows,
    account: AccountSessionsService,
  ) {
    super(flows, account);
  }

  @ApiEndpoint('Register a user account', 'VALIDATION_FAILED', 'REGISTRATION_DISABLED', 'USER_CONFLICT', 'AUTH_RATE_LIMITED', 'REGISTRATION_LOCK_UNAVAILABLE')
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
}

