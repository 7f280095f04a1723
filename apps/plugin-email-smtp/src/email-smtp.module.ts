import { type DynamicModule, Module } from '@nestjs/common';
import { EMAIL_MAX_REQUEST_BYTES } from '@plystra/email-contract';
import { HttpPlatformModule, type Logger, compileTrustedProxies } from '@plystra/http';
import { EmailSmtpConfigModule } from './config/email-smtp-config.module';
import { SERVICE_NAME, type EmailSmtpConfig } from './config/email-smtp.config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { EmailSendModule } from './send/email-send.module';
import { SmtpSettingsModule } from './settings/smtp-settings.module';

@Module({})
export class EmailSmtpModule {
  static forRoot(config: EmailSmtpConfig, logger: Logger): DynamicModule {
    const trust = compileTrustedProxies(config.trustedProxies);
    return {
      module: EmailSmtpModule,
      imports: [
        EmailSmtpConfigModule.forRoot(config, logger),
        HttpPlatformModule.forRoot({
          service: SERVICE_NAME,
          production: config.production,
          logger,
          bodyLimitBytes: () => EMAIL_MAX_REQUEST_BYTES,
          trustProxy: () => trust,
          corsAllowedOrigins: () => [],
        }),
        DatabaseModule,
        SmtpSettingsModule,
        EmailSendModule,
        HealthModule,
      ],
    };
  }
}
