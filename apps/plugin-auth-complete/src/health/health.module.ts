import { Module } from '@nestjs/common';
import { PasswordlessModule } from '../passwordless/passwordless.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [PasswordlessModule], controllers: [HealthController], providers: [HealthService] })
export class HealthModule {}
