import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admin grants and API keys hold their scope as the database's truth: a key's level matches the
 * columns it sets, a group grant or key names the group's own space (composite keys on
 * (space_id, group_id)), a grant's member exists and, for a scoped grant, lives in that space.
 * Scope, permissions and hashes never change after create, and a revoked row stays revoked.
 * Adds who revoked a grant and which API key created a key, and the indexes of the list filters.
 */
export class ConstrainAdminGrantsAndApiKeys1764000003000 implements MigrationInterface {
  name = 'ConstrainAdminGrantsAndApiKeys1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE admin_grants g SET space_id = gr.space_id
        FROM groups gr WHERE g.level = 'group_admin' AND g.space_id IS NULL AND gr.id = g.group_id;

      ALTER TABLE admin_grants
        ADD COLUMN revoked_by_user_id text,
        ADD CONSTRAINT admin_grants_status_check CHECK (status IN ('active', 'disabled', 'revoked')),
        ADD CONSTRAINT admin_grants_revoked_at_check CHECK (status <> 'revoked' OR revoked_at IS NOT NULL),
        ADD CONSTRAINT admin_grants_group_has_space CHECK (level <> 'group_admin' OR space_id IS NOT NULL),
        ADD CONSTRAINT admin_grants_member_fk FOREIGN KEY (member_id) REFERENCES members (id),
        ADD CONSTRAINT admin_grants_member_same_space_fk FOREIGN KEY (space_id, member_id) REFERENCES members (space_id, id),
        ADD CONSTRAINT admin_grants_group_same_space_fk FOREIGN KEY (space_id, group_id) REFERENCES groups (space_id, id);
      CREATE INDEX admin_grants_space_idx ON admin_grants (space_id) WHERE space_id IS NOT NULL;
      CREATE INDEX admin_grants_group_idx ON admin_grants (group_id) WHERE group_id IS NOT NULL;
      CREATE INDEX admin_grants_active_super_idx ON admin_grants (id)
        WHERE level = 'instance_super_admin' AND status = 'active' AND revoked_at IS NULL AND deleted_at IS NULL;

      ALTER TABLE api_keys
        ADD COLUMN created_by_api_key_id text,
        ADD CONSTRAINT api_keys_level_scope CHECK (
          (level = 'instance' AND space_id IS NULL AND group_id IS NULL)
          OR (level = 'space' AND space_id IS NOT NULL AND group_id IS NULL)
          OR (level = 'group' AND space_id IS NOT NULL AND group_id IS NOT NULL)
        ),
        ADD CONSTRAINT api_keys_prefix_check CHECK (key_prefix = 'ply_ak_' || id),
        ADD CONSTRAINT api_keys_permission_keys_nonempty CHECK (jsonb_array_length(permission_keys) > 0),
        ADD CONSTRAINT api_keys_revoked_at_check CHECK (status <> 'revoked' OR revoked_at IS NOT NULL),
        ADD CONSTRAINT api_keys_group_same_space_fk FOREIGN KEY (space_id, group_id) REFERENCES groups (space_id, id);
      CREATE INDEX api_keys_level_status_idx ON api_keys (level, status);
      CREATE INDEX api_keys_space_idx ON api_keys (space_id) WHERE space_id IS NOT NULL;
      CREATE INDEX api_keys_group_idx ON api_keys (group_id) WHERE group_id IS NOT NULL;
      CREATE INDEX api_keys_created_by_user_idx ON api_keys (created_by_user_id) WHERE created_by_user_id IS NOT NULL;

      CREATE FUNCTION plystra_admin_grants_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.id, NEW.user_id, NEW.member_id, NEW.level, NEW.space_id, NEW.group_id, NEW.permission_key, NEW.granted_by_user_id, NEW.created_at)
           IS DISTINCT FROM (OLD.id, OLD.user_id, OLD.member_id, OLD.level, OLD.space_id, OLD.group_id, OLD.permission_key, OLD.granted_by_user_id, OLD.created_at) THEN
          RAISE EXCEPTION 'an admin grant''s holder, scope and permission are immutable' USING ERRCODE = 'check_violation';
        END IF;
        IF OLD.status = 'revoked' AND NEW.status <> 'revoked' THEN
          RAISE EXCEPTION 'a revoked admin grant stays revoked' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER admin_grants_immutable BEFORE UPDATE ON admin_grants FOR EACH ROW EXECUTE FUNCTION plystra_admin_grants_immutable();

      CREATE FUNCTION plystra_api_keys_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.id, NEW.key_prefix, NEW.key_hash, NEW.level, NEW.space_id, NEW.group_id, NEW.permission_keys, NEW.created_by_user_id,
            NEW.created_by_member_id, NEW.created_by_api_key_id, NEW.created_at)
           IS DISTINCT FROM (OLD.id, OLD.key_prefix, OLD.key_hash, OLD.level, OLD.space_id, OLD.group_id, OLD.permission_keys, OLD.created_by_user_id,
            OLD.created_by_member_id, OLD.created_by_api_key_id, OLD.created_at) THEN
          RAISE EXCEPTION 'an API key''s secret, scope and permissions are immutable' USING ERRCODE = 'check_violation';
        END IF;
        IF OLD.status = 'revoked' AND NEW.status <> 'revoked' THEN
          RAISE EXCEPTION 'a revoked API key stays revoked' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER api_keys_immutable BEFORE UPDATE ON api_keys FOR EACH ROW EXECUTE FUNCTION plystra_api_keys_immutable();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER api_keys_immutable ON api_keys; DROP FUNCTION plystra_api_keys_immutable();
      DROP TRIGGER admin_grants_immutable ON admin_grants; DROP FUNCTION plystra_admin_grants_immutable();
      DROP INDEX api_keys_created_by_user_idx; DROP INDEX api_keys_group_idx; DROP INDEX api_keys_space_idx; DROP INDEX api_keys_level_status_idx;
      ALTER TABLE api_keys
        DROP CONSTRAINT api_keys_group_same_space_fk, DROP CONSTRAINT api_keys_revoked_at_check, DROP CONSTRAINT api_keys_permission_keys_nonempty,
        DROP CONSTRAINT api_keys_prefix_check, DROP CONSTRAINT api_keys_level_scope, DROP COLUMN created_by_api_key_id;
      DROP INDEX admin_grants_active_super_idx; DROP INDEX admin_grants_group_idx; DROP INDEX admin_grants_space_idx;
      ALTER TABLE admin_grants
        DROP CONSTRAINT admin_grants_group_same_space_fk, DROP CONSTRAINT admin_grants_member_same_space_fk, DROP CONSTRAINT admin_grants_member_fk,
        DROP CONSTRAINT admin_grants_group_has_space, DROP CONSTRAINT admin_grants_revoked_at_check, DROP CONSTRAINT admin_grants_status_check,
        DROP COLUMN revoked_by_user_id;
    `);
  }
}
