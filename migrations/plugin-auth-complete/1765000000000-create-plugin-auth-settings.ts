import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The plugin's settings: one row per key, a jsonb value, seeded with the defaults of
 * complete-auth.md §5. The table never holds secrets: a CHECK refuses any key that looks like one
 * (same fragments as governed JSON), and every change NOTIFYs `plugin_auth_settings_changed` so
 * each running replica reloads at once (a short TTL re-read covers a lost notification).
 */
export const PLUGIN_AUTH_SETTING_DEFAULTS: ReadonlyArray<[string, unknown]> = [
  ['public_registration_enabled', false],
  ['email_delivery_mode', 'log'],
  ['email_capability_url', ''],
  ['email_capability_timeout', '10s'],
  ['email_from_address', ''],
  ['email_from_name', 'Plystra'],
  ['public_app_url', ''],
  ['server_public_url', ''],
  ['magic_link_path', '/auth/consume'],
  ['allowed_redirect_origins', []],
  ['email_code_ttl', '10m'],
  ['magic_link_ttl', '10m'],
  ['auth_challenge_max_attempts', 5],
  ['email_send_max_attempts', 3],
  ['login_failure_limit', 8],
  ['login_failure_window', '15m'],
  ['login_failure_lockout', '15m'],
  ['max_request_body_bytes', 1048576],
  ['trusted_proxy_cidrs', []],
];

export class CreatePluginAuthSettings1765000000000 implements MigrationInterface {
  name = 'CreatePluginAuthSettings1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plugin_auth_settings (
        key text PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text,
        CONSTRAINT plugin_auth_settings_key_format CHECK (key ~ '^[a-z][a-z0-9_]{0,63}$'),
        -- Secrets live in the environment, never here.
        CONSTRAINT plugin_auth_settings_key_not_secret CHECK (
          translate(lower(key), '-.', '__') !~ '(password|secret|token|api_key|apikey|auth_token|credential|private_key|authorization)'
        ),
        CONSTRAINT plugin_auth_settings_value_size CHECK (octet_length(value::text) <= 16384)
      );

      CREATE FUNCTION plugin_auth_settings_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('plugin_auth_settings_changed', ''); RETURN NULL; END $$;

      CREATE TRIGGER plugin_auth_settings_touch BEFORE UPDATE ON plugin_auth_settings
        FOR EACH ROW EXECUTE FUNCTION plystra_touch_updated_at();
      CREATE TRIGGER plugin_auth_settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON plugin_auth_settings
        FOR EACH STATEMENT EXECUTE FUNCTION plugin_auth_settings_notify();
    `);
    const keys = PLUGIN_AUTH_SETTING_DEFAULTS.map(([key]) => key);
    const values = PLUGIN_AUTH_SETTING_DEFAULTS.map(([, value]) => JSON.stringify(value));
    await q.query(
      `INSERT INTO plugin_auth_settings (key, value, updated_by)
       SELECT k, v::jsonb, 'migration' FROM unnest($1::text[], $2::text[]) AS s(k, v)
       ON CONFLICT (key) DO NOTHING`,
      [keys, values],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plugin_auth_settings; DROP FUNCTION plugin_auth_settings_notify();`);
  }
}
