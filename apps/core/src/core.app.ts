import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { type Logger, buildApiDocument, createHttpApplication, createLogger, initHttpApplication, mountApiDocs } from '@plystra/http';
import type { CoreConfig } from './config/core-config';
import { CoreModule } from './core.module';

export const API_PREFIX = 'api/v1';

/** Core's application, initialised but not listening: what main.ts serves and what tests drive. */
export async function createCoreApp(config: CoreConfig & { databaseUrl: string }, logger?: Logger): Promise<INestApplication> {
  const log = logger ?? createLogger({ service: 'core', level: config.logLevel, format: config.logFormat });
  const app = await createHttpApplication(CoreModule.forRoot(config, log), log, { adapter: config.httpAdapter });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['metrics'] });
  if (!config.production) mountApiDocs(app, () => coreApiDocument(app));
  await initHttpApplication(app);
  return app;
}

/** Core's OpenAPI document, described from the module graph alone: no provider runs, no database is touched. */
export async function buildCoreApiDocument(config: CoreConfig): Promise<OpenAPIObject> {
  const log = createLogger({ service: 'core', level: 'error', format: config.logFormat });
  const app = await createHttpApplication(CoreModule.forRoot(config, log), log, { adapter: config.httpAdapter, preview: true });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['metrics'] });
  try {
    return coreApiDocument(app);
  } finally {
    await app.close();
  }
}

function coreApiDocument(app: INestApplication): OpenAPIObject {
  return buildApiDocument(app, {
    title: 'Plystra Core',
    description: 'Authorization core: identity, access, checks, audit and administration. Successful JSON answers are wrapped as `{data, request_id, meta}`.',
    security: { bearer: 'A session access token.', apiKey: true, metricsToken: true },
  });
}
