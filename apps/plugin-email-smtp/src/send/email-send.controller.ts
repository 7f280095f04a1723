import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { EMAIL_SEND_PATH } from '@plystra/email-contract';
import { ApiCredentials, ApiEndpoint, BEARER_SCHEME, RawResponse } from '@plystra/http';
import { CapabilityTokenGuard } from './capability-token.guard';
import { EmailSendService } from './email-send.service';

/**
 * The contract's endpoint. Its answer is the contract's own JSON, not Plystra's `{data}` envelope;
 * refusals still leave through the shared error filter.
 */
@Controller()
@ApiCredentials(BEARER_SCHEME)
@UseGuards(CapabilityTokenGuard)
export class EmailSendController {
  constructor(private readonly emails: EmailSendService) {}

  @ApiEndpoint('Send an email (email capability contract)', [400, 'VALIDATION_FAILED'], [400, 'INVALID_ADDRESS'], [400, 'HEADER_INJECTION'], [400, 'HEADER_NOT_ALLOWED'], [400, 'TOO_MANY_RECIPIENTS'], [400, 'MESSAGE_TOO_LARGE'], 'PAYLOAD_TOO_LARGE', 'AUTHENTICATION_REQUIRED', [409, 'IDEMPOTENCY_KEY_REUSED'])
  @Post(EMAIL_SEND_PATH)
  @HttpCode(200)
  @RawResponse()
  send(@Body() body: unknown) {
    return this.emails.send(body);
  }
}
