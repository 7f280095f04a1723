import type { Page } from '@plystra/http';
import type { DataSource } from 'typeorm';
import { cursorAt, keyset } from '../common/keyset';
import type { ScopeCondition } from './target-access';

export interface ScopedListQuery {
  table: string;
  alias: string;
  columns: string;
  /** Equality filters on columns of the table; undefined values are ignored. */
  equals: Record<string, unknown>;
  visible: ScopeCondition;
  cursor?: string;
  limit?: number;
}

/** Rows of a grant-like table (scope columns space_id, group_id) the caller may see, newest first, keyset paginated. */
export async function scopedList<T extends { id: string }>(db: DataSource, q: ScopedListQuery): Promise<Page<T>> {
  const a = q.alias;
  const where = [`${a}.deleted_at IS NULL`];
  const params: unknown[] = [];
  for (const [column, value] of Object.entries(q.equals)) {
    if (value !== undefined) where.push(`${a}.${column} = $${params.push(value)}`);
  }
  const scope = q.visible(a, params.length + 1);
  if (scope.sql) {
    where.push(scope.sql);
    params.push(...scope.params);
  }
  const page = keyset(q.cursor, q.limit, params.length + 1, a);
  if (page.where) where.push(page.where);
  const rows: Array<T & { cursor_at: string }> = await db.query(
    `SELECT ${q.columns}, ${cursorAt(a)} FROM ${q.table} ${a} WHERE ${where.join(' AND ')} ORDER BY ${a}.created_at DESC, ${a}.id DESC LIMIT ${page.fetch}`,
    [...params, ...page.params],
  );
  return page.page(rows);
}
