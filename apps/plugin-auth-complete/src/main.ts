import { resolve } from 'node:path';
import { resolveDatabase, runMigrations } from '@plystra/db';
import { ConfigError, createLogger, listen } from '@plystra/http';
import { pluginAuthCompleteMigrations } from '@plystra/migrations-plugin-auth-complete';
import { loadPluginConfig } from './config/plugin-config';
import { createPluginApp } from './plugin.app';

async function main(): Promise<void> {
  const config = loadPluginConfig(process.env);
  const logger = createLogger({ service: 'plugin-auth-complete', level: config.logLevel, format: config.logFormat });
  const database = await resolveDatabase({ url: config.databaseUrl, production: config.production, workspaceRoot: resolve(__dirname, '../../../..') });
  // Refuses with a clear message when Core's schema is missing or behind.
  if (config.migrateOnStart) await runMigrations(database.url, pluginAuthCompleteMigrations);
  const app = await createPluginApp({ ...config, databaseUrl: database.url }, logger);
  const port = await listen(app, config.host, config.port);
  logger.info({ url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`, mode: config.production ? 'production' : 'development', http_adapter: app.getHttpAdapter().getType() }, 'auth plugin listening');
  const stop = async (signal: string) => {
    logger.info({ signal }, 'auth plugin stopping');
    await app.close();
    await database.embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
