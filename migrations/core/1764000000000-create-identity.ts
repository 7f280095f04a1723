import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users (login accounts), spaces (tenants), groups (a materialized-path tree per space), members
 * (actors in a space) and user-member bindings. Same-space invariants are composite foreign keys
 * on (space_id, id), so a binding, a child group or a linked-by member in another space cannot
 * exist. Nothing in these tables is ever hard-deleted: a trigger refuses DELETE.
 */
export class CreateIdentity1764000000000 implements MigrationInterface {
  name = 'CreateIdentity1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION plystra_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.updated_at := now(); RETURN NEW; END $$;

      CREATE FUNCTION plystra_refuse_hard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'rows of % are never hard-deleted; set deleted_at or a status instead', TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END $$;

      CREATE TABLE users (
        id text PRIMARY KEY CHECK (id <> ''),
        email text NOT NULL CHECK (email <> ''),
        username text,
        phone text,
        status text NOT NULL DEFAULT 'active',
        password_hash text,
        password_changed_at timestamptz,
        last_login_at timestamptz,
        email_verified_at timestamptz,
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      );
      CREATE UNIQUE INDEX users_email_key ON users (lower(email));
      CREATE INDEX users_created_at_idx ON users (created_at DESC, id DESC);

      CREATE TABLE spaces (
        id text PRIMARY KEY CHECK (id <> ''),
        name text NOT NULL,
        slug text,
        type text NOT NULL DEFAULT 'custom',
        status text NOT NULL DEFAULT 'active',
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      );
      CREATE UNIQUE INDEX spaces_slug_key ON spaces (slug) WHERE slug IS NOT NULL AND slug <> '';

      CREATE TABLE groups (
        id text PRIMARY KEY CHECK (id <> ''),
        space_id text NOT NULL REFERENCES spaces (id),
        parent_group_id text,
        name text NOT NULL,
        display_name text,
        path text NOT NULL CHECK (path ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$'),
        depth integer NOT NULL DEFAULT 0,
        sort_order integer NOT NULL DEFAULT 1000,
        status text NOT NULL DEFAULT 'active',
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT groups_space_path_key UNIQUE (space_id, path),
        CONSTRAINT groups_space_id_key UNIQUE (space_id, id),
        CONSTRAINT groups_parent_same_space_fk FOREIGN KEY (space_id, parent_group_id) REFERENCES groups (space_id, id)
      );
      CREATE INDEX groups_path_pattern_idx ON groups (space_id, path text_pattern_ops);

      -- The path is immutable, its depth follows from it, and a child's path extends its parent's.
      CREATE FUNCTION plystra_groups_path_rules() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE parent_path text;
      BEGIN
        IF TG_OP = 'UPDATE' AND (NEW.path IS DISTINCT FROM OLD.path OR NEW.space_id IS DISTINCT FROM OLD.space_id
            OR NEW.parent_group_id IS DISTINCT FROM OLD.parent_group_id) THEN
          RAISE EXCEPTION 'group path, space and parent are immutable' USING ERRCODE = 'check_violation';
        END IF;
        NEW.depth := length(NEW.path) - length(replace(NEW.path, '.', ''));
        IF NEW.parent_group_id IS NOT NULL THEN
          SELECT path INTO parent_path FROM groups WHERE id = NEW.parent_group_id;
          IF parent_path IS NULL OR left(NEW.path, length(parent_path) + 1) <> parent_path || '.' THEN
            RAISE EXCEPTION 'group path % must start with its parent path % followed by a dot', NEW.path, parent_path
              USING ERRCODE = 'check_violation', CONSTRAINT = 'groups_parent_path_prefix';
          END IF;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER groups_path_rules BEFORE INSERT OR UPDATE ON groups
        FOR EACH ROW EXECUTE FUNCTION plystra_groups_path_rules();

      CREATE TABLE members (
        id text PRIMARY KEY CHECK (id <> ''),
        space_id text NOT NULL REFERENCES spaces (id),
        display_name text NOT NULL,
        member_type text NOT NULL DEFAULT 'human',
        status text NOT NULL DEFAULT 'active',
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT members_space_id_key UNIQUE (space_id, id)
      );
      CREATE INDEX members_space_created_idx ON members (space_id, created_at DESC, id DESC);

      CREATE TABLE user_members (
        id text PRIMARY KEY CHECK (id <> ''),
        user_id text NOT NULL REFERENCES users (id),
        member_id text NOT NULL,
        space_id text NOT NULL,
        relation_type text NOT NULL,
        status text NOT NULL DEFAULT 'active',
        is_primary boolean NOT NULL DEFAULT false,
        expires_at timestamptz,
        linked_by_member_id text,
        linked_at timestamptz,
        revoked_at timestamptz,
        revoked_reason text,
        metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT user_members_member_same_space_fk FOREIGN KEY (space_id, member_id) REFERENCES members (space_id, id),
        CONSTRAINT user_members_linked_by_same_space_fk FOREIGN KEY (space_id, linked_by_member_id) REFERENCES members (space_id, id)
      );
      CREATE INDEX user_members_user_idx ON user_members (user_id);
      CREATE INDEX user_members_member_idx ON user_members (member_id);
      CREATE INDEX user_members_space_created_idx ON user_members (space_id, created_at DESC, id DESC);
    `);
    for (const table of ['users', 'spaces', 'groups', 'members', 'user_members']) {
      await q.query(`CREATE TRIGGER ${table}_no_hard_delete BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION plystra_refuse_hard_delete()`);
      await q.query(`CREATE TRIGGER ${table}_touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION plystra_touch_updated_at()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE user_members; DROP TABLE members; DROP TABLE groups; DROP TABLE spaces; DROP TABLE users;
      DROP FUNCTION plystra_groups_path_rules(); DROP FUNCTION plystra_refuse_hard_delete(); DROP FUNCTION plystra_touch_updated_at();
    `);
  }
}
