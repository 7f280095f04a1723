import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roles (per space), permissions (global, unique on resource/action/scope; `global` scope is
 * always stored disabled), member-roles (a role grant with an optional anchor group, all three in
 * the member's space) and role-permissions. Same-space rules are composite foreign keys.
 */
export class CreateAuthorizationGraph1764000000100 implements MigrationInterface {
  name = 'CreateAuthorizationGraph1764000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE roles (
        id text PRIMARY KEY CHECK (id <> ''),
        space_id text NOT NULL REFERENCES spaces (id),
        key text NOT NULL CHECK (key <> ''),
        name text NOT NULL,
        description text,
        status text NOT NULL DEFAULT 'active',
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT roles_space_key_key UNIQUE (space_id, key),
        CONSTRAINT roles_space_id_key UNIQUE (space_id, id)
      );

      CREATE FUNCTION plystra_roles_key_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.key IS DISTINCT FROM OLD.key OR NEW.space_id IS DISTINCT FROM OLD.space_id THEN
          RAISE EXCEPTION 'role key and space are immutable' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER roles_key_immutable BEFORE UPDATE ON roles FOR EACH ROW EXECUTE FUNCTION plystra_roles_key_immutable();

      CREATE TABLE permissions (
        id text PRIMARY KEY CHECK (id <> ''),
        resource text NOT NULL CHECK (resource <> ''),
        action text NOT NULL CHECK (action <> ''),
        scope text NOT NULL CHECK (scope IN ('self', 'group', 'group_tree', 'space', 'global')),
        description text,
        status text NOT NULL DEFAULT 'active',
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT permissions_resource_action_scope_key UNIQUE (resource, action, scope),
        CONSTRAINT permissions_global_disabled CHECK (scope <> 'global' OR status = 'disabled')
      );

      CREATE TABLE member_roles (
        id text PRIMARY KEY CHECK (id <> ''),
        member_id text NOT NULL,
        role_id text NOT NULL,
        space_id text NOT NULL REFERENCES spaces (id),
        scope_anchor_group_id text,
        status text NOT NULL DEFAULT 'active',
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT member_roles_member_same_space_fk FOREIGN KEY (space_id, member_id) REFERENCES members (space_id, id),
        CONSTRAINT member_roles_role_same_space_fk FOREIGN KEY (space_id, role_id) REFERENCES roles (space_id, id),
        CONSTRAINT member_roles_anchor_same_space_fk FOREIGN KEY (space_id, scope_anchor_group_id) REFERENCES groups (space_id, id),
        CONSTRAINT member_roles_member_role_anchor_key UNIQUE NULLS NOT DISTINCT (member_id, role_id, scope_anchor_group_id)
      );
      CREATE INDEX member_roles_member_active_idx ON member_roles (member_id) WHERE status = 'active' AND deleted_at IS NULL;
      CREATE INDEX member_roles_space_created_idx ON member_roles (space_id, created_at DESC, id DESC);

      CREATE TABLE role_permissions (
        id text PRIMARY KEY CHECK (id <> ''),
        role_id text NOT NULL REFERENCES roles (id),
        permission_id text NOT NULL REFERENCES permissions (id),
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT role_permissions_role_permission_key UNIQUE (role_id, permission_id)
      );
      CREATE INDEX role_permissions_permission_idx ON role_permissions (permission_id);
    `);
    for (const table of ['roles', 'permissions', 'member_roles', 'role_permissions']) {
      await q.query(`CREATE TRIGGER ${table}_touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION plystra_touch_updated_at()`);
    }
    for (const table of ['roles', 'permissions', 'role_permissions']) {
      await q.query(`CREATE TRIGGER ${table}_no_hard_delete BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION plystra_refuse_hard_delete()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE role_permissions; DROP TABLE member_roles; DROP TABLE permissions; DROP TABLE roles; DROP FUNCTION plystra_roles_key_immutable();`);
  }
}
