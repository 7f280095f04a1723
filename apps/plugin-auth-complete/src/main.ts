import { resolve } from 'node:path';
import { resolveDatabase, runMigrations } from '@plystra/db';
import { createLogger, runMain, serve } from '@plystra/http';
import { pluginAuthCompleteMigrations } from '@plystra/migrations-plugin-auth-complete';
import { loadPluginConfig } from './config/plugin-config';
import { createPluginApp } from './plugin.app';

runMain(async () => {
  const config = loadPluginConfig(process.env);
  const logger = createLogger({ service: 'plugin-auth-complete', level: config.logLevel, format: config.logFormat });
  const database = await resolveDatabase({ url: config.databaseUrl, production: config.production, workspaceRoot: resolve(__dirname, '../../../..') });
  // Refuses with a clear message when Core's schema is missing or behind.
  if (config.migrateOnStart) await runMigrations(database.url, pluginAuthCompleteMigrations);
  const app = await createPluginApp({ ...config, databaseUrl: database.url }, logger);
  await serve(app, logger, { name: 'auth plugin', host: config.host, port: config.port, production: config.production, onStop: async () => database.embedded?.stop() });
});
