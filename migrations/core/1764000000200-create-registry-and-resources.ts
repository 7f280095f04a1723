import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The resource registry (types, their actions, one storage mapping per type) and the resource
 * mirror that checks read. A resource's group and owner must be in its space (composite keys).
 */
export class CreateRegistryAndResources1764000000200 implements MigrationInterface {
  name = 'CreateRegistryAndResources1764000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE resource_types (
        id text PRIMARY KEY CHECK (id <> ''),
        key text NOT NULL UNIQUE CHECK (key <> ''),
        display_name text NOT NULL,
        description text,
        status text NOT NULL DEFAULT 'active',
        source text NOT NULL DEFAULT 'core',
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE resource_actions (
        id text PRIMARY KEY CHECK (id <> ''),
        resource_type_id text NOT NULL REFERENCES resource_types (id),
        key text NOT NULL CHECK (key <> ''),
        display_name text NOT NULL,
        description text,
        risk_level text NOT NULL DEFAULT 'normal' CHECK (risk_level IN ('normal', 'high', 'critical')),
        audit_default boolean NOT NULL DEFAULT true,
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT resource_actions_type_key_key UNIQUE (resource_type_id, key)
      );

      CREATE TABLE resource_mappings (
        id text PRIMARY KEY CHECK (id <> ''),
        resource_type_id text NOT NULL UNIQUE REFERENCES resource_types (id),
        storage_kind text NOT NULL DEFAULT 'internal_table' CHECK (storage_kind = 'internal_table'),
        table_name text,
        id_field text NOT NULL DEFAULT 'id',
        space_field text NOT NULL DEFAULT 'space_id',
        group_field text,
        owner_member_field text,
        visibility_field text,
        metadata_field text,
        status text NOT NULL DEFAULT 'active',
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE resources (
        id text PRIMARY KEY CHECK (id <> ''),
        resource_type text NOT NULL REFERENCES resource_types (key),
        external_id text,
        space_id text NOT NULL REFERENCES spaces (id),
        group_id text,
        owner_member_id text,
        display_name text,
        visibility text NOT NULL DEFAULT 'private',
        status text NOT NULL DEFAULT 'active',
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT resources_group_same_space_fk FOREIGN KEY (space_id, group_id) REFERENCES groups (space_id, id),
        CONSTRAINT resources_owner_same_space_fk FOREIGN KEY (space_id, owner_member_id) REFERENCES members (space_id, id)
      );
      CREATE INDEX resources_space_created_idx ON resources (space_id, created_at DESC, id DESC);
      CREATE INDEX resources_type_idx ON resources (resource_type, created_at DESC, id DESC);
    `);
    for (const table of ['resource_types', 'resource_actions', 'resource_mappings', 'resources']) {
      await q.query(`CREATE TRIGGER ${table}_touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION plystra_touch_updated_at()`);
    }
    await q.query(`CREATE TRIGGER resources_no_hard_delete BEFORE DELETE ON resources FOR EACH ROW EXECUTE FUNCTION plystra_refuse_hard_delete()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE resources; DROP TABLE resource_mappings; DROP TABLE resource_actions; DROP TABLE resource_types;`);
  }
}
