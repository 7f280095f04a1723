import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSource, initializeWithRetry } from '@plystra/db';
import { EMAIL_SMTP_CONFIG } from '../config/email-smtp-config.module';
import type { EmailSmtpConfig } from '../config/email-smtp.config';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [EMAIL_SMTP_CONFIG],
      useFactory: (config: EmailSmtpConfig) => ({ type: 'postgres' as const, url: config.databaseUrl, poolSize: config.databasePoolSize, synchronize: false }),
      dataSourceFactory: async (options) => {
        const { url, poolSize } = options as { url: string; poolSize: number };
        return initializeWithRetry(createDataSource({ url, poolSize, applicationName: 'plystra-email-smtp', statementTimeoutMs: 10_000 }));
      },
    }),
  ],
})
export class DatabaseModule {}
