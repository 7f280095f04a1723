import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { Ctx, type RequestContext } from '@plystra/http';
import { AuthService } from './auth.service';
import { bearerToken } from './bearer';
import { LoginDto, LogoutDto, RefreshDto, RegisterDto } from './dto/auth.dto';
import { RegistrationService } from './registration.service';

@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly registration: RegistrationService,
  ) {}

  @Post('register')
  register(@Body() dto: RegisterDto, @Ctx() ctx: RequestContext) {
    return this.registration.register(dto, ctx);
  }

  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Ctx() ctx: RequestContext) {
    return this.auth.login(dto, ctx);
  }

  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() dto: RefreshDto, @Ctx() ctx: RequestContext) {
    return this.auth.refresh(dto.refresh_token, ctx);
  }

  @Post('logout')
  @HttpCode(200)
  logout(@Body() dto: LogoutDto, @Req() req: unknown, @Ctx() ctx: RequestContext) {
    return this.auth.logout(bearerToken(req) ?? dto.refresh_token, ctx);
  }
}
