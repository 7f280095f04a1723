import { resolve } from 'node:path';
import { resolveDatabase, runMigrations } from '@plystra/db';
import { ConfigError, createLogger, listen } from '@plystra/http';
import { coreMigrations } from '@plystra/migrations-core';
import { loadCoreConfig } from './config/core-config';
import { createCoreApp } from './core.app';

async function main(): Promise<void> {
  const config = loadCoreConfig(process.env);
  const logger = createLogger({ service: 'core', level: config.logLevel, format: config.logFormat });
  const database = await resolveDatabase({ url: config.databaseUrl, production: config.production, workspaceRoot: resolve(__dirname, '../../../..') });
  if (config.migrateOnStart) await runMigrations(database.url, coreMigrations);
  const app = await createCoreApp({ ...config, databaseUrl: database.url }, logger);
  const port = await listen(app, config.host, config.port);
  logger.info({ url: `http://${config.host}:${port}`, mode: config.production ? 'production' : 'development', http_adapter: app.getHttpAdapter().getType() }, 'core listening');
  const stop = async (signal: string) => {
    logger.info({ signal }, 'core stopping');
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
