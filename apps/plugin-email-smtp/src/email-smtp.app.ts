import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { type Logger, buildApiDocument, createHttpApplication, createLogger, initHttpApplication, mountApiDocs } from '@plystra/http';
import type { EmailSmtpConfig } from './config/email-smtp.config';
import { EmailSmtpModule } from './email-smtp.module';

/** The provider's application, initialised but not listening: what main.ts serves and tests drive. */
export async function createEmailSmtpApp(config: EmailSmtpConfig, logger: Logger): Promise<INestApplication> {
  const app = await createHttpApplication(EmailSmtpModule.forRoot(config, logger), logger, { adapter: config.httpAdapter });
  if (!config.production) mountApiDocs(app, () => emailSmtpApiDocument(app));
  await initHttpApplication(app);
  return app;
}

/** The provider's OpenAPI document, described from the module graph alone: no provider runs, no database is touched. */
export async function buildEmailSmtpApiDocument(config: EmailSmtpConfig): Promise<OpenAPIObject> {
  const logger = createLogger({ service: 'plugin-email-smtp', level: 'error', format: config.logFormat });
  const app = await createHttpApplication(EmailSmtpModule.forRoot(config, logger), logger, { adapter: config.httpAdapter, preview: true });
  try {
    return emailSmtpApiDocument(app);
  } finally {
    await app.close();
  }
}

function emailSmtpApiDocument(app: INestApplication): OpenAPIObject {
  return buildApiDocument(app, {
    title: 'Plystra SMTP email provider (plugin-email-smtp)',
    description: 'The email capability contract over SMTP. Answers are the contract\'s own JSON (no `{data}` envelope).',
    security: { bearer: 'The email capability token.' },
  });
}
