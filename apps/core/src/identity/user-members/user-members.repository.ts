import type { EntitySpec } from '../management/management-writer';
import type { TableDef } from '../management/table-store';

/** Bindings, with the user's email and the member's display name. */
export const USER_MEMBERS: TableDef = {
  table: 'user_members',
  alias: 'um',
  columns: `um.id, um.user_id, u.email, um.member_id, mb.display_name AS member_display_name, um.space_id, um.relation_type, um.status,
            um.is_primary, um.expires_at, um.linked_by_member_id, um.linked_at, um.revoked_at, um.revoked_reason, um.metadata,
            um.created_at, um.updated_at`,
  from: 'user_members um JOIN users u ON u.id = um.user_id JOIN members mb ON mb.id = um.member_id',
  softDelete: true,
};

export const USER_MEMBER_SPEC: EntitySpec = { def: USER_MEMBERS, entity: 'USER_MEMBER', kind: 'user_member' };
