import type { EntitySpec } from '../management/management-writer';
import type { TableDef } from '../management/table-store';

export const ROLES: TableDef = {
  table: 'roles',
  alias: 'r',
  columns: 'r.id, r.space_id, r.key, r.name, r.description, r.status, r.metadata, r.created_at, r.updated_at',
  from: 'roles r',
  softDelete: true,
};

export const ROLE_SPEC: EntitySpec = { def: ROLES, entity: 'ROLE', kind: 'role' };
