import { Module } from '@nestjs/common';
import { SmtpDeliveryModule } from '../delivery/smtp-delivery.module';
import { CapabilityTokenGuard } from './capability-token.guard';
import { EmailSendController } from './email-send.controller';
import { EmailSendService } from './email-send.service';
import { IdempotencyRepository } from './idempotency.repository';

@Module({
  imports: [SmtpDeliveryModule],
  controllers: [EmailSendController],
  providers: [EmailSendService, IdempotencyRepository, CapabilityTokenGuard],
})
export class EmailSendModule {}
