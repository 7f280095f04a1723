import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email-code and magic-link challenges. Only HMAC-SHA256 hashes are stored: `secret_hash` is the
 * hash of the magic-link token (or of the id, for codes) and `code_hash` binds purpose, email and
 * code. Consumption is one conditional UPDATE on (`pending`, not expired).
 */
export class CreatePluginAuthChallenges1765000000100 implements MigrationInterface {
  name = 'CreatePluginAuthChallenges1765000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plugin_auth_challenges (
        id text PRIMARY KEY CHECK (id ~ '^authchal_[0-9a-f]{16}$'),
        purpose text NOT NULL CHECK (purpose IN ('auth.email_code', 'auth.magic_link')),
        email text NOT NULL CHECK (email <> '' AND email = lower(btrim(email))),
        user_id text REFERENCES users (id),
        secret_hash text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
        code_hash text CHECK (code_hash ~ '^[0-9a-f]{64}$'),
        redirect_url text CHECK (length(redirect_url) <= 2048),
        request_ip text,
        request_user_agent text,
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        max_attempts integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'consumed', 'locked', 'failed', 'superseded')),
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        provider_message_id text,
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plugin_auth_challenges_code_for_codes CHECK ((purpose = 'auth.email_code') = (code_hash IS NOT NULL)),
        CONSTRAINT plugin_auth_challenges_consumed_at CHECK ((status = 'consumed') = (consumed_at IS NOT NULL))
      );
      CREATE INDEX plugin_auth_challenges_pending_idx ON plugin_auth_challenges (email, purpose, created_at DESC) WHERE status = 'pending';
      CREATE INDEX plugin_auth_challenges_expires_idx ON plugin_auth_challenges (expires_at);
      CREATE INDEX plugin_auth_challenges_user_idx ON plugin_auth_challenges (user_id) WHERE user_id IS NOT NULL;
      CREATE TRIGGER plugin_auth_challenges_touch BEFORE UPDATE ON plugin_auth_challenges
        FOR EACH ROW EXECUTE FUNCTION plystra_touch_updated_at();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plugin_auth_challenges`);
  }
}
