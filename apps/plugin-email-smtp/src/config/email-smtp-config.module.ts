import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from '@plystra/http';
import type { EmailSmtpConfig } from './email-smtp.config';

export const EMAIL_SMTP_CONFIG = Symbol('EMAIL_SMTP_CONFIG');
export const LOGGER = Symbol('LOGGER');

@Global()
@Module({})
export class EmailSmtpConfigModule {
  static forRoot(config: EmailSmtpConfig, logger: Logger): DynamicModule {
    return {
      module: EmailSmtpConfigModule,
      providers: [
        { provide: EMAIL_SMTP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [EMAIL_SMTP_CONFIG, LOGGER],
    };
  }
}
