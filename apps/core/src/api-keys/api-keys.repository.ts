import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { KeyLevel } from '../access/principal';
import { scopedList } from '../admin/scoped-list';
import type { ScopeCondition } from '../admin/target-access';

/** A key as the API shows it: never its hash. */
export interface ApiKey {
  id: string;
  name: string;
  key_prefix: string;
  level: KeyLevel;
  space_id: string | null;
  group_id: string | null;
  permission_keys: string[];
  status: string;
  expires_at: Date | null;
  last_used_at: Date | null;
  created_by_user_id: string | null;
  created_by_member_id: string | null;
  created_by_api_key_id: string | null;
  revoked_at: Date | null;
  revoked_by_user_id: string | null;
  revoked_reason: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export type NewApiKey = Pick<
  ApiKey,
  'id' | 'name' | 'key_prefix' | 'level' | 'space_id' | 'group_id' | 'permission_keys' | 'status' | 'expires_at' | 'created_by_user_id' | 'created_by_member_id' | 'created_by_api_key_id' | 'metadata'
> & { key_hash: string };

export interface ApiKeyFilters {
  level?: string;
  space_id?: string;
  group_id?: string;
  status?: string;
  limit?: number;
  cursor?: string;
}

const COLUMN_NAMES = [
  'id', 'name', 'key_prefix', 'level', 'space_id', 'group_id', 'permission_keys', 'status', 'expires_at', 'last_used_at', 'created_by_user_id',
  'created_by_member_id', 'created_by_api_key_id', 'revoked_at', 'revoked_by_user_id', 'revoked_reason', 'metadata', 'created_at', 'updated_at',
];
const columns = (alias = '') => COLUMN_NAMES.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(m: EntityManager, key: NewApiKey): Promise<ApiKey> {
    const [row] = await m.query(
      `INSERT INTO api_keys (id, name, key_prefix, key_hash, level, space_id, group_id, permission_keys, status, expires_at,
                             created_by_user_id, created_by_member_id, created_by_api_key_id, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14) RETURNING ${columns()}`,
      [key.id, key.name, key.key_prefix, key.key_hash, key.level, key.space_id, key.group_id, JSON.stringify(key.permission_keys), key.status,
        key.expires_at, key.created_by_user_id, key.created_by_member_id, key.created_by_api_key_id, key.metadata],
    );
    return row;
  }

  async find(id: string): Promise<ApiKey | null> {
    const [row] = await this.dataSource.query(`SELECT ${columns()} FROM api_keys WHERE id = $1 AND deleted_at IS NULL`, [id]);
    return row ?? null;
  }

  /** Newest first, keyset paginated, only keys whose scope `visible` keeps. */
  list(filters: ApiKeyFilters, visible: ScopeCondition) {
    const { level, space_id, group_id, status, cursor, limit } = filters;
    return scopedList<ApiKey>(this.dataSource, { table: 'api_keys', alias: 'k', columns: columns('k'), equals: { level, space_id, group_id, status }, visible, cursor, limit });
  }

  /** Revokes a key that is not revoked yet; null when it already was. */
  async revoke(m: EntityManager, id: string, reason: string | null, byUserId: string | null): Promise<ApiKey | null> {
    const [rows] = await m.query(
      `UPDATE api_keys SET status = 'revoked', revoked_at = now(), revoked_reason = $2, revoked_by_user_id = $3
        WHERE id = $1 AND status <> 'revoked' AND deleted_at IS NULL RETURNING ${columns()}`,
      [id, reason, byUserId],
    );
    return rows[0] ?? null;
  }
}
