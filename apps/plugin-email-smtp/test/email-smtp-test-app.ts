import type { INestApplication } from '@nestjs/common';
import { runMigrations } from '@plystra/db';
import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { createLogger } from '@plystra/http';
import request from 'supertest';
import { pluginEmailSmtpMigrations } from '../../../migrations/plugin-email-smtp';
import { loadEmailSmtpConfig } from '../src/config/email-smtp.config';
import { createEmailSmtpApp } from '../src/email-smtp.app';
import type { SmtpSettings } from '../src/settings/smtp-settings';

export const TEST_CAPABILITY_TOKEN = 'test-capability-token-5d41402abc4b2a76b9719d911017c592';
export const TEST_SMTP_PASSWORD = 'test-smtp-password-never-logged-0123456789';

export interface EmailSmtpTestApp {
  app: INestApplication;
  db: TestDatabase;
  http: ReturnType<typeof request>;
  /** Every log line the app wrote, for secret scans. */
  logs: string[];
  close(): Promise<void>;
}

/** Stores settings rows, as an operator would, before the app reads them at start-up. */
export async function storeSmtpSettings(db: TestDatabase, settings: Partial<SmtpSettings>): Promise<void> {
  for (const [key, value] of Object.entries(settings)) {
    await db.dataSource.query(
      `INSERT INTO plugin_email_smtp_settings (key, value) VALUES ($1, $2::jsonb)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, JSON.stringify(value)],
    );
  }
}

/**
 * The SMTP provider on a fresh database with its migrations applied and the given settings, with
 * exactly the modules production runs.
 */
export async function startEmailSmtp(options: { settings?: Partial<SmtpSettings>; env?: Record<string, string>; db?: TestDatabase } = {}): Promise<EmailSmtpTestApp> {
  const db = options.db ?? (await createTestDatabase());
  await runMigrations(db.url, pluginEmailSmtpMigrations);
  await storeSmtpSettings(db, { host: '127.0.0.1', tls_mode: 'none', ...options.settings });
  const config = loadEmailSmtpConfig({
    DATABASE_URL: db.url,
    EMAIL_CAPABILITY_TOKEN: TEST_CAPABILITY_TOKEN,
    SMTP_PASSWORD: TEST_SMTP_PASSWORD,
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger({ service: 'plugin-email-smtp', level: config.logLevel, destination: { write: (line) => void logs.push(line) } });
  const app = await createEmailSmtpApp(config, logger);
  return {
    app,
    db,
    http: request(app.getHttpServer()),
    logs,
    async close() {
      await app.close();
      if (!options.db) await db.drop();
    },
  };
}
