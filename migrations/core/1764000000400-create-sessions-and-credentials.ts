import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions (opaque tokens stored as HMAC hashes), admin grants, scoped API keys, and the shared
 * authentication rate-limit counters that both Core and the auth plugin use, so a lockout holds
 * across replicas, services and restarts.
 */
export class CreateSessionsAndCredentials1764000000400 implements MigrationInterface {
  name = 'CreateSessionsAndCredentials1764000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sessions (
        id text PRIMARY KEY CHECK (id <> ''),
        user_id text NOT NULL REFERENCES users (id),
        active_space_id text,
        active_member_id text,
        active_user_member_id text,
        access_token_hash text NOT NULL UNIQUE,
        refresh_token_hash text NOT NULL UNIQUE,
        previous_refresh_token_hash text,
        refreshed_at timestamptz,
        expires_at timestamptz NOT NULL,
        refresh_expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text,
        ip text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sessions_user_idx ON sessions (user_id);
      CREATE INDEX sessions_previous_refresh_idx ON sessions (previous_refresh_token_hash) WHERE previous_refresh_token_hash IS NOT NULL;

      CREATE TABLE admin_grants (
        id text PRIMARY KEY CHECK (id <> ''),
        user_id text NOT NULL REFERENCES users (id),
        member_id text,
        space_id text REFERENCES spaces (id),
        group_id text REFERENCES groups (id),
        level text NOT NULL CHECK (level IN ('instance_super_admin', 'instance_admin', 'space_admin', 'group_admin')),
        permission_key text NOT NULL,
        status text NOT NULL DEFAULT 'active',
        granted_by_user_id text,
        granted_by_member_id text,
        expires_at timestamptz,
        revoked_at timestamptz,
        revoked_reason text,
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT admin_grants_level_scope CHECK (
          (level IN ('instance_super_admin', 'instance_admin') AND space_id IS NULL AND group_id IS NULL)
          OR (level = 'space_admin' AND space_id IS NOT NULL AND group_id IS NULL)
          OR (level = 'group_admin' AND group_id IS NOT NULL)
        )
      );
      CREATE INDEX admin_grants_user_status_idx ON admin_grants (user_id, status);
      CREATE INDEX admin_grants_level_status_idx ON admin_grants (level, status);
      CREATE INDEX admin_grants_created_idx ON admin_grants (created_at DESC, id DESC);

      CREATE TABLE api_keys (
        id text PRIMARY KEY CHECK (id <> ''),
        name text NOT NULL,
        key_prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        level text NOT NULL CHECK (level IN ('instance', 'space', 'group')),
        space_id text REFERENCES spaces (id),
        group_id text REFERENCES groups (id),
        permission_keys jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(permission_keys) = 'array'),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'revoked')),
        expires_at timestamptz,
        last_used_at timestamptz,
        created_by_user_id text,
        created_by_member_id text,
        revoked_at timestamptz,
        revoked_by_user_id text,
        revoked_reason text,
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      );
      CREATE INDEX api_keys_created_idx ON api_keys (created_at DESC, id DESC);

      -- Counters of rate-limiter-flexible's PostgreSQL store (key, points, expire in epoch ms).
      CREATE TABLE auth_rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      );
      CREATE INDEX auth_rate_limits_expire_idx ON auth_rate_limits (expire);
    `);
    for (const table of ['sessions', 'admin_grants', 'api_keys']) {
      await q.query(`CREATE TRIGGER ${table}_touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION plystra_touch_updated_at()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth_rate_limits; DROP TABLE api_keys; DROP TABLE admin_grants; DROP TABLE sessions;`);
  }
}
