import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { EmailCodeSendDto, EmailCodeVerifyDto, MagicLinkConsumeDto, MagicLinkSendDto } from './dto/passwordless.dto';
import { EmailCodeService } from './email-code.service';
import { MagicLinkService } from './magic-link.service';

@Controller('api/v1/auth')
export class PasswordlessController {
  constructor(
    private readonly codes: EmailCodeService,
    private readonly links: MagicLinkService,
  ) {}

  @ApiEndpoint('Email a one-time sign-in code', 'VALIDATION_FAILED', 'REGISTRATION_DISABLED', 'AUTH_RATE_LIMITED', 'EMAIL_DELIVERY_FAILED', 'EMAIL_DELIVERY_NOT_CONFIGURED')
  @Post('email-code')
  @HttpCode(202)
  sendCode(@Body() dto: EmailCodeSendDto, @Ctx() ctx: RequestContext) {
    return this.codes.send(dto, ctx);
  }

  @ApiEndpoint('Sign in with an emailed code', 'VALIDATION_FAILED', 'AUTHENTICATION_REQUIRED', 'AUTH_RATE_LIMITED')
  @Post('email-code/verify')
  @HttpCode(200)
  verifyCode(@Body() dto: EmailCodeVerifyDto, @Ctx() ctx: RequestContext) {
    return this.codes.verify(dto, ctx);
  }

  @ApiEndpoint('Email a magic sign-in link', 'VALIDATION_FAILED', 'REGISTRATION_DISABLED', 'AUTH_RATE_LIMITED', 'EMAIL_DELIVERY_FAILED', 'EMAIL_DELIVERY_NOT_CONFIGURED')
  @Post('magic-link')
  @HttpCode(202)
  sendLink(@Body() dto: MagicLinkSendDto, @Ctx() ctx: RequestContext) {
    return this.links.send(dto, ctx);
  }

  @ApiEndpoint('Sign in with a magic link token', 'VALIDATION_FAILED', 'AUTHENTICATION_REQUIRED', 'AUTH_RATE_LIMITED')
  @Post('magic-link/consume')
  @HttpCode(200)
  consumeLink(@Body() dto: MagicLinkConsumeDto, @Ctx() ctx: RequestContext) {
    return this.links.consume(dto, ctx);
  }
}
