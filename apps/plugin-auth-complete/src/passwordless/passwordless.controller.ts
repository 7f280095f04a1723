import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Ctx, type RequestContext } from '@plystra/http';
import { EmailCodeSendDto, EmailCodeVerifyDto, MagicLinkConsumeDto, MagicLinkSendDto } from './dto/passwordless.dto';
import { EmailCodeService } from './email-code.service';
import { MagicLinkService } from './magic-link.service';

@Controller('api/v1/auth')
export class PasswordlessController {
  constructor(
    private readonly codes: EmailCodeService,
    private readonly links: MagicLinkService,
  ) {}

  @Post('email-code')
  @HttpCode(202)
  sendCode(@Body() dto: EmailCodeSendDto, @Ctx() ctx: RequestContext) {
    return this.codes.send(dto, ctx);
  }

  @Post('email-code/verify')
  @HttpCode(200)
  verifyCode(@Body() dto: EmailCodeVerifyDto, @Ctx() ctx: RequestContext) {
    return this.codes.verify(dto, ctx);
  }

  @Post('magic-link')
  @HttpCode(202)
  sendLink(@Body() dto: MagicLinkSendDto, @Ctx() ctx: RequestContext) {
    return this.links.send(dto, ctx);
  }

  @Post('magic-link/consume')
  @HttpCode(200)
  consumeLink(@Body() dto: MagicLinkConsumeDto, @Ctx() ctx: RequestContext) {
    return this.links.consume(dto, ctx);
  }
}
