import type { EntitySpec } from '../management/management-writer';
import type { TableDef } from '../management/table-store';

export const PERMISSIONS: TableDef = {
  table: 'permissions',
  alias: 'p',
  columns: 'p.id, p.resource, p.action, p.scope, p.description, p.status, p.metadata, p.created_at, p.updated_at',
  from: 'permissions p',
  softDelete: true,
};

export const PERMISSION_SPEC: EntitySpec = { def: PERMISSIONS, entity: 'PERMISSION', kind: 'permission' };
