import { ApiError, type EntityName } from '@plystra/http';
import type { EntityManager } from 'typeorm';
import type { EntitySpec } from '../identity/management/management-writer';
import { type TableDef, updateRow } from '../identity/management/table-store';

export const RESOURCE_TYPES: TableDef = {
  table: 'resource_types',
  alias: 'rt',
  columns: 'rt.id, rt.key, rt.display_name, rt.description, rt.status, rt.source, rt.metadata, rt.created_at, rt.updated_at',
  from: 'resource_types rt',
  softDelete: false,
};

export const RESOURCE_ACTIONS: TableDef = {
  table: 'resource_actions',
  alias: 'ra',
  columns: `ra.id, ra.resource_type_id, rt.key AS resource_type_key, ra.key, ra.display_name, ra.description, ra.risk_level,
            ra.audit_default, ra.metadata, ra.created_at, ra.updated_at`,
  from: 'resource_actions ra JOIN resource_types rt ON rt.id = ra.resource_type_id',
  softDelete: false,
};

export const RESOURCE_MAPPINGS: TableDef = {
  table: 'resource_mappings',
  alias: 'rm',
  columns: `rm.id, rm.resource_type_id, rt.key AS resource_type_key, rm.storage_kind, rm.table_name, rm.id_field, rm.space_field,
            rm.group_field, rm.owner_member_field, rm.visibility_field, rm.metadata_field, rm.status, rm.metadata, rm.created_at, rm.updated_at`,
  from: 'resource_mappings rm JOIN resource_types rt ON rt.id = rm.resource_type_id',
  softDelete: false,
};

export const RESOURCE_TYPE_SPEC: EntitySpec = { def: RESOURCE_TYPES, entity: 'RESOURCE_TYPE', kind: 'resource_type' };
export const RESOURCE_ACTION_SPEC: EntitySpec = { def: RESOURCE_ACTIONS, entity: 'RESOURCE_ACTION', kind: 'resource_action' };
export const RESOURCE_MAPPING_SPEC: EntitySpec = { def: RESOURCE_MAPPINGS, entity: 'RESOURCE_MAPPING', kind: 'resource_mapping' };

/** The columns of the `resources` table, the only storage v1 maps. */
export const RESOURCE_COLUMNS = ['id', 'resource_type', 'external_id', 'space_id', 'group_id', 'owner_member_id', 'display_name', 'visibility', 'status', 'metadata'];

/**
 * Upsert by natural key (`naturalKey` columns are unique): inserts `insert`, or, when a row with
 * that key exists, locks it and sets `update` on it. A client-chosen id must match the existing
 * row's. Concurrent upserts of one key all succeed, one creating and the others updating.
 */
export async function upsertByKey(
  m: EntityManager,
  def: TableDef,
  entity: EntityName,
  naturalKey: Record<string, unknown>,
  insert: Record<string, unknown> & { id: string },
  update: Record<string, unknown>,
  clientId: string | undefined,
): Promise<{ id: string; created: boolean }> {
  const keyColumns = Object.keys(naturalKey);
  const params: unknown[] = [];
  const slots = Object.values(insert).map((value) => (params.push(value), `$${params.length}`));
  const created: Array<{ id: string }> = await m.query(
    `INSERT INTO ${def.table} (${Object.keys(insert).join(', ')}) VALUES (${slots.join(', ')})
     ON CONFLICT (${keyColumns.join(', ')}) DO NOTHING RETURNING id`,
    params,
  );
  if (created[0]) return { id: created[0].id, created: true };
  const [existing]: Array<{ id: string }> = await m.query(
    `SELECT id FROM ${def.table} WHERE ${keyColumns.map((column, i) => `${column} = $${i + 1}`).join(' AND ')} FOR UPDATE`,
    Object.values(naturalKey),
  );
  if (clientId !== undefined && clientId !== existing.id) {
    throw ApiError.conflict(`${entity}_CONFLICT`, `This key already belongs to ${JSON.stringify(existing.id)}; the id cannot change.`);
  }
  if (Object.keys(update).length > 0) await updateRow(m, def, existing.id, update);
  return { id: existing.id, created: false };
}

