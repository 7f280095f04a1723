import type { EntitySpec } from '../management/management-writer';
import type { TableDef } from '../management/table-store';

export const MEMBERS: TableDef = {
  table: 'members',
  alias: 'mb',
  columns: 'mb.id, mb.space_id, mb.display_name, mb.member_type, mb.status, mb.metadata, mb.created_at, mb.updated_at',
  from: 'members mb',
  softDelete: true,
};

export const MEMBER_SPEC: EntitySpec = { def: MEMBERS, entity: 'MEMBER', kind: 'member' };
