import type { EntitySpec } from '../identity/management/management-writer';
import type { TableDef } from '../identity/management/table-store';

/** Governed resources, with their space's name, their group's path and their owner's display name. */
export const RESOURCES: TableDef = {
  table: 'resources',
  alias: 'rs',
  columns: `rs.id, rs.resource_type, rs.external_id, rs.space_id, sp.name AS space_name, rs.group_id, g.path AS group_path,
            rs.owner_member_id, mb.display_name AS owner_member_display_name, rs.display_name, rs.visibility, rs.status, rs.metadata,
            rs.created_at, rs.updated_at`,
  from: `resources rs JOIN spaces sp ON sp.id = rs.space_id LEFT JOIN groups g ON g.id = rs.group_id
         LEFT JOIN members mb ON mb.id = rs.owner_member_id`,
  softDelete: true,
};

/** A resource's audit rows carry its own type (`invoice`), with actions `resource.created`… */
export const RESOURCE_SPEC: EntitySpec = { def: RESOURCES, entity: 'RESOURCE', kind: 'resource', auditType: (row) => row.resource_type as string };
