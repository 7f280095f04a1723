import type { INestApplication } from '@nestjs/common';
import { type Logger, createHttpApplication } from '@plystra/http';
import type { EmailSmtpConfig } from './config/email-smtp.config';
import { EmailSmtpModule } from './email-smtp.module';

/** The provider's application, initialised but not listening: what main.ts serves and tests drive. */
export async function createEmailSmtpApp(config: EmailSmtpConfig, logger: Logger): Promise<INestApplication> {
  const app = await createHttpApplication(EmailSmtpModule.forRoot(config, logger), logger);
  await app.init();
  return app;
}
