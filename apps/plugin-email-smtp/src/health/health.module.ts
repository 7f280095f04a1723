import { Module } from '@nestjs/common';
import { SmtpDeliveryModule } from '../delivery/smtp-delivery.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [SmtpDeliveryModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
