import type { EntityManager } from 'typeorm';
import type { EntitySpec } from '../management/management-writer';
import type { TableDef } from '../management/table-store';

export interface RolePermissionRow {
  id: string;
  space_id: string;
  [column: string]: unknown;
}

/** Role-permission pairs, with the role's space and key and the permission's triple. */
export const ROLE_PERMISSIONS: TableDef = {
  table: 'role_permissions',
  alias: 'rp',
  columns: `rp.id, rp.role_id, r.space_id, r.key AS role_key, rp.permission_id, p.resource, p.action, p.scope, rp.metadata,
            rp.created_at, rp.updated_at`,
  from: 'role_permissions rp JOIN roles r ON r.id = rp.role_id JOIN permissions p ON p.id = rp.permission_id',
  softDelete: true,
};

export const ROLE_PERMISSION_SPEC: EntitySpec = { def: ROLE_PERMISSIONS, entity: 'ROLE_PERMISSION', kind: 'role_permission' };

/**
 * Adds the pair, or revives it when it was revoked (soft-deleted). Null when the pair is already
 * live. One statement, so two concurrent calls cannot both add it.
 */
export async function addOrReviveRolePermission(
  m: EntityManager,
  values: { id: string; role_id: string; permission_id: string; metadata: Record<string, unknown> },
): Promise<{ id: string; inserted: boolean } | null> {
  const rows: Array<{ id: string; inserted: boolean }> = await m.query(
    `INSERT INTO role_permissions (id, role_id, permission_id, metadata) VALUES ($1, $2, $3, $4)
     ON CONFLICT (role_id, permission_id) DO UPDATE SET deleted_at = NULL, metadata = EXCLUDED.metadata
       WHERE role_permissions.deleted_at IS NOT NULL
     RETURNING id, (xmax = 0) AS inserted`,
    [values.id, values.role_id, values.permission_id, values.metadata],
  );
  return rows[0] ?? null;
}

/** Soft-deletes a live pair; its deletion time, or null when it was not live. */
export async function revokeRolePermission(m: EntityManager, id: string): Promise<Date | null> {
  const [rows] = await m.query(`UPDATE role_permissions SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING deleted_at`, [id]);
  return rows[0]?.deleted_at ?? null;
}
