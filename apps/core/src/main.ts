import { resolve } from 'node:path';
import { resolveDatabase, runMigrations } from '@plystra/db';
import { createLogger, runMain, serve } from '@plystra/http';
import { coreMigrations } from '@plystra/migrations-core';
import { loadCoreConfig } from './config/core-config';
import { createCoreApp } from './core.app';

runMain(async () => {
  const config = loadCoreConfig(process.env);
  const logger = createLogger({ service: 'core', level: config.logLevel, format: config.logFormat });
  const database = await resolveDatabase({ url: config.databaseUrl, production: config.production, workspaceRoot: resolve(__dirname, '../../../..') });
  if (config.migrateOnStart) await runMigrations(database.url, coreMigrations);
  const app = await createCoreApp({ ...config, databaseUrl: database.url }, logger);
  await serve(app, logger, { name: 'core', host: config.host, port: config.port, production: config.production, onStop: async () => database.embedded?.stop() });
});
