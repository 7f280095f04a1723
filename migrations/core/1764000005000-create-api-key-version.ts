import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The api_keys columns that decide whether a key authenticates and what it holds. */
const DECIDING_COLUMNS = ['key_hash', 'level', 'space_id', 'group_id', 'permission_keys', 'status', 'expires_at', 'revoked_at', 'deleted_at'];

/**
 * A version token for API keys, like the registry's: every change to a key that could make it
 * stop authenticating or change what it holds replaces the token (a random uuid), so a Core
 * replica may keep verified keys in memory for authorization checks and learn of a revocation on
 * any replica from the query each check already runs. Refreshing `last_used_at` does not replace
 * it; creating a key does not either (a new key invalidates nothing).
 */
export class CreateApiKeyVersion1764000005000 implements MigrationInterface {
  name = 'CreateApiKeyVersion1764000005000';

  async up(q: QueryRunner): Promise<void> {
    const changed = DECIDING_COLUMNS.map((c) => `OLD.${c}`).join(', ');
    await q.query(`
      CREATE TABLE api_key_version (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        version text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO api_key_version (id, version) VALUES (1, gen_random_uuid()::text);

      CREATE FUNCTION plystra_bump_api_key_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO api_key_version (id, version, updated_at) VALUES (1, gen_random_uuid()::text, now())
          ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at;
        RETURN NULL;
      END $$;

      CREATE TRIGGER api_keys_bump_version_update AFTER UPDATE ON api_keys FOR EACH ROW
        WHEN ((${changed}) IS DISTINCT FROM (${changed.replaceAll('OLD.', 'NEW.')}))
        EXECUTE FUNCTION plystra_bump_api_key_version();
      CREATE TRIGGER api_keys_bump_version_delete AFTER DELETE ON api_keys FOR EACH STATEMENT
        EXECUTE FUNCTION plystra_bump_api_key_version();
      CREATE TRIGGER api_keys_bump_version_truncate AFTER TRUNCATE ON api_keys FOR EACH STATEMENT
        EXECUTE FUNCTION plystra_bump_api_key_version();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER api_keys_bump_version_update ON api_keys;
      DROP TRIGGER api_keys_bump_version_delete ON api_keys;
      DROP TRIGGER api_keys_bump_version_truncate ON api_keys;
      DROP FUNCTION plystra_bump_api_key_version();
      DROP TABLE api_key_version;
    `);
  }
}
