import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { AuthService } from './auth.service';
import { AccountSessionsService, LoginDto, SessionFlows, SessionRoutes } from '@plystra/session';
import { RegisterDto } from './dto/auth.dto';
import { RegistrationService } from './registration.service';

/** Register and login are the plugin's; refresh, logout and the account routes are libs/session's SessionRoutes, shared with Core. */
@Controller('api/v1/auth')
export class AuthController extends SessionRoutes {
  constructor(
    private readonly auth: AuthService,
    private readonly registration: RegistrationService,
    flows: SessionFlows,
    account: AccountSessionsService,
  ) {
    super(flows, account);
  }

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
}

