import type { MigrationSet } from '@plystra/db';
import { CreateSmtpSettings1764300000000 } from './1764300000000-create-smtp-settings';
import { CreateIdempotencyKeys1764300000100 } from './1764300000100-create-idempotency-keys';

/**
 * The SMTP provider's own migrations, tracked in their own table. They need nothing of Core's
 * schema, so the provider may use a database of its own. Append new ones at the end.
 */
export const pluginEmailSmtpMigrations: MigrationSet = {
  service: 'plugin-email-smtp',
  tableName: 'plugin_email_smtp_migrations',
  migrations: [CreateSmtpSettings1764300000000, CreateIdempotencyKeys1764300000100],
};
