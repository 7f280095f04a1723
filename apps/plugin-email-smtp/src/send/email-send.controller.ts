import { Body, Controller, Post, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { EMAIL_SEND_PATH } from '@plystra/email-contract';
import { CapabilityTokenGuard } from './capability-token.guard';
import { EmailSendService } from './email-send.service';

/**
 * The contract's endpoint. Its answer is the contract's own JSON, not Plystra's `{data}` envelope,
 * so the handler writes the response itself; refusals still leave through the shared error filter.
 */
@Controller()
@UseGuards(CapabilityTokenGuard)
export class EmailSendController {
  constructor(private readonly emails: EmailSendService) {}

  @Post(EMAIL_SEND_PATH)
  async send(@Body() body: unknown, @Res() res: Response): Promise<void> {
    res.status(200).json(await this.emails.send(body));
  }
}
