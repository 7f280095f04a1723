import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { type Logger, buildApiDocument, createHttpApplication, createLogger, initHttpApplication, mountApiDocs } from '@plystra/http';
import type { PluginConfig } from './config/plugin-config';
import { PluginModule } from './plugin.module';

/** The plugin's application, initialised but not listening: what main.ts serves and what tests drive. */
export async function createPluginApp(config: PluginConfig & { databaseUrl: string }, logger?: Logger): Promise<INestApplication> {
  const log = logger ?? createLogger({ service: 'plugin-auth-complete', level: config.logLevel, format: config.logFormat });
  const app = await createHttpApplication(PluginModule.forRoot(config, log), log, { adapter: config.httpAdapter });
  if (!config.production) mountApiDocs(app, () => pluginApiDocument(app));
  await initHttpApplication(app);
  return app;
}

/** The plugin's OpenAPI document, described from the module graph alone: no provider runs, no database is touched. */
export async function buildPluginApiDocument(config: PluginConfig): Promise<OpenAPIObject> {
  const log = createLogger({ service: 'plugin-auth-complete', level: 'error', format: config.logFormat });
  const app = await createHttpApplication(PluginModule.forRoot(config, log), log, { adapter: config.httpAdapter, preview: true });
  try {
    return pluginApiDocument(app);
  } finally {
    await app.close();
  }
}

function pluginApiDocument(app: INestApplication): OpenAPIObject {
  return buildApiDocument(app, {
    title: 'Plystra hosted auth (plugin-auth-complete)',
    description: 'Password and passwordless sign-in on top of Plystra Core. Successful JSON answers are wrapped as `{data, request_id, meta}`.',
    security: { bearer: 'A session access token.' },
  });
}
