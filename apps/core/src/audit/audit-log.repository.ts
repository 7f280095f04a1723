import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { cursorAt, keyset } from '../common/keyset';
import type { AuditLogQueryDto } from './dto/audit-log-query.dto';

const ITEM_COLUMNS = `id, space_id, actor_user_id, actor_member_id, actor_user_member_id, action, resource_type, resource_id,
  decision, deny_code, request_id, ip_address, user_agent, created_at`;

const EQUALITY_FILTERS = [
  'space_id', 'actor_user_id', 'actor_member_id', 'actor_user_member_id', 'resource_type', 'resource_id', 'decision', 'deny_code', 'request_id',
] as const;

export interface AuditLogItem {
  id: string;
  created_at: Date;
  space_id: string | null;
  [column: string]: unknown;
}

/** Reads the append-only audit log; it has no way to change it. */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Newest first, keyset-paginated over (created_at DESC, id DESC); items without their trace. */
  async list(query: AuditLogQueryDto) {
    const where: string[] = [];
    const params: unknown[] = [];
    const bind = (value: unknown) => `$${params.push(value)}`;
    for (const column of EQUALITY_FILTERS) {
      const value = query[column];
      if (value !== undefined) where.push(`${column} = ${bind(value)}`);
    }
    if (query.created_at_from) where.push(`created_at >= ${bind(query.created_at_from)}::timestamptz`);
    if (query.created_at_to) where.push(`created_at <= ${bind(query.created_at_to)}::timestamptz`);
    const page = keyset(query.cursor, query.limit, params.length + 1);
    if (page.where) where.push(page.where);
    params.push(...page.params);
    const rows: Array<AuditLogItem & { cursor_at: string }> = await this.dataSource.query(
      `SELECT ${ITEM_COLUMNS}, ${cursorAt()} FROM audit_logs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${page.fetch}`,
      params,
    );
    return page.page(rows);
  }

  async get(id: string): Promise<(AuditLogItem & { trace: unknown }) | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${ITEM_COLUMNS}, trace FROM audit_logs WHERE id = $1`, [id]);
    return row;
  }

  async spaceExists(spaceId: string): Promise<boolean> {
    const [row] = await this.dataSource.query(`SELECT 1 FROM spaces WHERE id = $1`, [spaceId]);
    return !!row;
  }
}
