import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { EMAIL_SEND_PATH } from '@plystra/email-contract';
import { RawResponse } from '@plystra/http';
import { CapabilityTokenGuard } from './capability-token.guard';
import { EmailSendService } from './email-send.service';

/**
 * The contract's endpoint. Its answer is the contract's own JSON, not Plystra's `{data}` envelope;
 * refusals still leave through the shared error filter.
 */
@Controller()
@UseGuards(CapabilityTokenGuard)
export class EmailSendController {
  constructor(private readonly emails: EmailSendService) {}

  @Post(EMAIL_SEND_PATH)
  @HttpCode(200)
  @RawResponse()
  send(@Body() body: unknown) {
    return this.emails.send(body);
  }
}
