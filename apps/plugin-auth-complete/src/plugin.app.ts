import type { INestApplication } from '@nestjs/common';
import { type Logger, createHttpApplication, createLogger } from '@plystra/http';
import type { PluginConfig } from './config/plugin-config';
import { PluginModule } from './plugin.module';

/** The plugin's application, initialised but not listening: what main.ts serves and what tests drive. */
export async function createPluginApp(config: PluginConfig & { databaseUrl: string }, logger?: Logger): Promise<INestApplication> {
  const log = logger ?? createLogger({ service: 'plugin-auth-complete', level: config.logLevel, format: config.logFormat });
  const app = await createHttpApplication(PluginModule.forRoot(config, log), log);
  await app.init();
  return app;
}
