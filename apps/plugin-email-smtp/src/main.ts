import { runMigrations } from '@plystra/db';
import { createLogger, runMain, serve } from '@plystra/http';
import { migrationSetFor } from '@plystra/migrations';
import { SERVICE_NAME, loadEmailSmtpConfig } from './config/email-smtp.config';
import { createEmailSmtpApp } from './email-smtp.app';

runMain(async () => {
  const config = loadEmailSmtpConfig(process.env);
  const logger = createLogger({ service: SERVICE_NAME, level: config.logLevel, format: config.logFormat });
  if (config.migrateOnStart) {
    const migrations = migrationSetFor(SERVICE_NAME);
    if (!migrations) throw new Error(`no migration set is registered for ${SERVICE_NAME}`);
    const applied = await runMigrations(config.databaseUrl, migrations);
    logger.info({ applied }, 'migrations applied');
  }
  const app = await createEmailSmtpApp(config, logger);
  await serve(app, logger, { name: SERVICE_NAME, host: config.host, port: config.port, production: config.production });
});
