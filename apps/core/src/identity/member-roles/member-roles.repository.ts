import type { EntitySpec } from '../management/management-writer';
import type { TableDef } from '../management/table-store';

/** Role grants, with the member's name, the role's key and name, and the anchor's path. */
export const MEMBER_ROLES: TableDef = {
  table: 'member_roles',
  alias: 'mr',
  columns: `mr.id, mr.member_id, mb.display_name AS member_display_name, mr.role_id, r.key AS role_key, r.name AS role_name, mr.space_id,
            mr.scope_anchor_group_id, g.path AS scope_anchor_path, mr.status, mr.metadata, mr.created_at, mr.updated_at`,
  from: `member_roles mr JOIN members mb ON mb.id = mr.member_id JOIN roles r ON r.id = mr.role_id
         LEFT JOIN groups g ON g.id = mr.scope_anchor_group_id`,
  softDelete: true,
};

export const MEMBER_ROLE_SPEC: EntitySpec = { def: MEMBER_ROLES, entity: 'MEMBER_ROLE', kind: 'member_role' };
