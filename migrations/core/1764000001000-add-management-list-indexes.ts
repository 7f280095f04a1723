import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes behind the management API's lists: every list is keyset-paginated over
 * (created_at DESC, id DESC), inside a space where the entity has one, and some filter by a
 * reference column.
 */
export class AddManagementListIndexes1764000001000 implements MigrationInterface {
  name = 'AddManagementListIndexes1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX spaces_created_idx ON spaces (created_at DESC, id DESC);
      CREATE INDEX groups_space_created_idx ON groups (space_id, created_at DESC, id DESC);
      CREATE INDEX roles_space_created_idx ON roles (space_id, created_at DESC, id DESC);
      CREATE INDEX permissions_created_idx ON permissions (created_at DESC, id DESC);
      CREATE INDEX role_permissions_created_idx ON role_permissions (created_at DESC, id DESC);
      CREATE INDEX member_roles_role_idx ON member_roles (role_id);
      CREATE INDEX resource_types_created_idx ON resource_types (created_at DESC, id DESC);
      CREATE INDEX resource_actions_type_created_idx ON resource_actions (resource_type_id, created_at DESC, id DESC);
      CREATE INDEX resources_created_idx ON resources (created_at DESC, id DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX resources_created_idx; DROP INDEX resource_actions_type_created_idx; DROP INDEX resource_types_created_idx;
      DROP INDEX member_roles_role_idx; DROP INDEX role_permissions_created_idx; DROP INDEX permissions_created_idx;
      DROP INDEX roles_space_created_idx; DROP INDEX groups_space_created_idx; DROP INDEX spaces_created_idx;
    `);
  }
}
