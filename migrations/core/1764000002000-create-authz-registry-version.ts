import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version token for the resource registry (types, actions, mappings). Every statement that
 * changes one of those tables replaces the token, so each Core replica can keep the registry in
 * memory and notice a change by reading one tiny row in the query it already runs per check.
 * The token is a random uuid, not a counter, so emptying and refilling the tables can never bring
 * back a token a replica has already cached.
 */
export class CreateAuthzRegistryVersion1764000002000 implements MigrationInterface {
  name = 'CreateAuthzRegistryVersion1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE authz_registry_version (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        version text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO authz_registry_version (id, version) VALUES (1, gen_random_uuid()::text);

      CREATE FUNCTION plystra_bump_registry_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO authz_registry_version (id, version, updated_at) VALUES (1, gen_random_uuid()::text, now())
          ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at;
        RETURN NULL;
      END $$;
    `);
    for (const table of ['resource_types', 'resource_actions', 'resource_mappings']) {
      await q.query(`CREATE TRIGGER ${table}_bump_registry_version AFTER INSERT OR UPDATE OR DELETE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION plystra_bump_registry_version()`);
      await q.query(`CREATE TRIGGER ${table}_bump_registry_version_truncate AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION plystra_bump_registry_version()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['resource_types', 'resource_actions', 'resource_mappings']) {
      await q.query(`DROP TRIGGER ${table}_bump_registry_version ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_bump_registry_version_truncate ON ${table}`);
    }
    await q.query(`DROP FUNCTION plystra_bump_registry_version(); DROP TABLE authz_registry_version;`);
  }
}
