import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SMTP provider's non-secret transport settings, one row per key. Secrets (the SMTP password,
 * the capability token) live in the environment only: a key that looks like a secret is refused
 * by the table itself.
 */
export class CreateSmtpSettings1764300000000 implements MigrationInterface {
  name = 'CreateSmtpSettings1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plugin_email_smtp_settings (
        key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plugin_email_smtp_settings_no_secrets CHECK (
          translate(lower(key), '-.', '__') !~ '(password|secret|token|api_key|apikey|credential|private_key|authorization)'
        )
      );
      COMMENT ON TABLE plugin_email_smtp_settings IS 'Non-secret SMTP transport settings; secrets come from the environment only.';
      INSERT INTO plugin_email_smtp_settings (key, value) VALUES
        ('host', '"localhost"'),
        ('port', '587'),
        ('tls_mode', '"starttls"'),
        ('tls_reject_unauthorized', 'true'),
        ('username', '""'),
        ('pool_size', '5'),
        ('max_messages_per_connection', '100'),
        ('default_sender', 'null'),
        ('connection_timeout_ms', '5000'),
        ('greeting_timeout_ms', '5000'),
        ('socket_timeout_ms', '8000'),
        ('send_timeout_ms', '8000'),
        ('health_timeout_ms', '3000');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plugin_email_smtp_settings`);
  }
}
