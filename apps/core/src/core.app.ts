import type { INestApplication } from '@nestjs/common';
import { type Logger, createHttpApplication, createLogger } from '@plystra/http';
import type { CoreConfig } from './config/core-config';
import { CoreModule } from './core.module';

export const API_PREFIX = 'api/v1';

/** Core's application, initialised but not listening: what main.ts serves and what tests drive. */
export async function createCoreApp(config: CoreConfig & { databaseUrl: string }, logger?: Logger): Promise<INestApplication> {
  const log = logger ?? createLogger({ service: 'core', level: config.logLevel, format: config.logFormat });
  const app = await createHttpApplication(CoreModule.forRoot(config, log), log);
  app.setGlobalPrefix(API_PREFIX, { exclude: ['metrics'] });
  await app.init();
  return app;
}
