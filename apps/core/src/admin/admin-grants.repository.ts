import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { GrantLevel } from '../access/principal';
import { scopedList } from './scoped-list';
import type { ScopeCondition } from './target-access';

export interface AdminGrant {
  id: string;
  user_id: string;
  member_id: string | null;
  space_id: string | null;
  group_id: string | null;
  level: GrantLevel;
  permission_key: string;
  status: string;
  granted_by_user_id: string | null;
  granted_by_member_id: string | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_by_user_id: string | null;
  revoked_reason: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export type NewAdminGrant = Pick<
  AdminGrant,
  'id' | 'user_id' | 'member_id' | 'space_id' | 'group_id' | 'level' | 'permission_key' | 'status' | 'granted_by_user_id' | 'granted_by_member_id' | 'expires_at' | 'metadata'
>;

export interface AdminGrantFilters {
  user_id?: string;
  level?: string;
  space_id?: string;
  group_id?: string;
  status?: string;
  limit?: number;
  cursor?: string;
}

const COLUMN_NAMES = [
  'id', 'user_id', 'member_id', 'space_id', 'group_id', 'level', 'permission_key', 'status', 'granted_by_user_id', 'granted_by_member_id',
  'expires_at', 'revoked_at', 'revoked_by_user_id', 'revoked_reason', 'metadata', 'created_at', 'updated_at',
];
const columns = (alias = '') => COLUMN_NAMES.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');
const COLUMNS = columns();

/** An active grant: status active, not revoked, not deleted, not expired. */
const active = (a: string) => `${a}.status = 'active' AND ${a}.revoked_at IS NULL AND ${a}.deleted_at IS NULL AND (${a}.expires_at IS NULL OR ${a}.expires_at > now())`;

@Injectable()
export class AdminGrantsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, grant: NewAdminGrant): Promise<AdminGrant> {
    const [row] = await m.query(
      `INSERT INTO admin_grants (id, user_id, member_id, space_id, group_id, level, permission_key, status, granted_by_user_id, granted_by_member_id, expires_at, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
      [grant.id, grant.user_id, grant.member_id, grant.space_id, grant.group_id, grant.level, grant.permission_key, grant.status,
        grant.granted_by_user_id, grant.granted_by_member_id, grant.expires_at, grant.metadata],
    );
    return row;
  }

  async find(id: string): Promise<AdminGrant | null> {
    const [row] = await this.dataSource.query(`SELECT ${COLUMNS} FROM admin_grants WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return row ?? null;
  }

  activeOfUser(userId: string): Promise<AdminGrant[]> {
    return this.dataSource.query(`SELECT ${columns('g')} FROM admin_grants g WHERE g.user_id = $1 AND ${active('g')} ORDER BY g.created_at, g.id`, [userId]);
  }

  /** Newest first, keyset paginated, only grants whose scope `visible` keeps. */
  list(filters: AdminGrantFilters, visible: ScopeCondition) {
    const { user_id, level, space_id, group_id, status, cursor, limit } = filters;
    return scopedList<AdminGrant>(this.dataSource, { table: 'admin_grants', alias: 'g', columns: columns('g'), equals: { user_id, level, space_id, group_id, status }, visible, cursor, limit });
  }

  /**
   * Locks every active super-admin grant, in id order so concurrent revocations queue instead of
   * deadlocking, and says which of them belong to an active user.
   */
  lockActiveSuperAdmins(m: EntityManager): Promise<Array<{ id: string; usable: boolean }>> {
    return m.query(
      `SELECT g.id, (u.status = 'active' AND u.deleted_at IS NULL) AS usable
         FROM admin_grants g JOIN users u ON u.id = g.user_id
        WHERE g.level = 'instance_super_admin' AND ${active('g')}
        ORDER BY g.id FOR UPDATE OF g`,
    );
  }

  /** Revokes a grant that is not revoked yet; null when it already was. */
  async revoke(m: EntityManager, id: string, reason: string | null, byUserId: string): Promise<AdminGrant | null> {
    const [rows] = await m.query(
      `UPDATE admin_grants SET status = 'revoked', revoked_at = now(), revoked_reason = $2, revoked_by_user_id = $3
        WHERE id = $1 AND status <> 'revoked' AND deleted_at IS NULL RETURNING ${COLUMNS}`,
      [id, reason, byUserId],
    );
    return rows[0] ?? null;
  }
}
