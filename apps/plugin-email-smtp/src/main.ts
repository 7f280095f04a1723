import { runMigrations } from '@plystra/db';
import { ConfigError, createLogger, listen } from '@plystra/http';
import { migrationSetFor } from '@plystra/migrations';
import { SERVICE_NAME, loadEmailSmtpConfig } from './config/email-smtp.config';
import { createEmailSmtpApp } from './email-smtp.app';

async function main(): Promise<void> {
  const config = loadEmailSmtpConfig(process.env);
  const logger = createLogger({ service: SERVICE_NAME, level: config.logLevel, format: config.logFormat });
  if (config.migrateOnStart) {
    const migrations = migrationSetFor(SERVICE_NAME);
    if (!migrations) throw new Error(`no migration set is registered for ${SERVICE_NAME}`);
    const applied = await runMigrations(config.databaseUrl, migrations);
    logger.info({ applied }, 'migrations applied');
  }
  const app = await createEmailSmtpApp(config, logger);
  const port = await listen(app, config.host, config.port);
  logger.info({ url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`, mode: config.production ? 'production' : 'development', http_adapter: app.getHttpAdapter().getType() }, `${SERVICE_NAME} listening`);
  const stop = async (signal: string) => {
    logger.info({ signal }, `${SERVICE_NAME} stopping`);
    await app.close();
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
