import { ApiError, type EntityName, type Page } from '@plystra/http';
import type { DataSource, EntityManager } from 'typeorm';
import { cursorAt, keyset } from '../../common/keyset';

export type Db = DataSource | EntityManager;

/** A column value meaning "the transaction's now()". */
export const NOW = Symbol('now');

/**
 * How an entity is read: the table, its alias, the response projection and the joins that
 * enrich it. Table and column names are constants of the code, never client input.
 */
export interface TableDef {
  table: string;
  alias: string;
  /** The projected columns, qualified by alias (`g.id, g.path, s.name AS space_name`). */
  columns: string;
  /** `<table> <alias> [LEFT JOIN …]`. */
  from: string;
  /** Rows carry `deleted_at`; soft-deleted rows are invisible to every read and write here. */
  softDelete: boolean;
}

/** Equality filters of a list: `[sql expression, value]`; an undefined value is no filter. */
export type Filters = Array<[string, unknown]>;

/** Microsecond-exact text of a timestamp: a JS Date would drop the microseconds and skip rows. */

function visible(def: TableDef): string {
  return def.softDelete ? ` AND ${def.alias}.deleted_at IS NULL` : '';
}

export async function findWhere<T>(db: Db, def: TableDef, where: string, params: unknown[]): Promise<T | null> {
  const rows: T[] = await db.query(`SELECT ${def.columns} FROM ${def.from} WHERE ${where}${visible(def)}`, params);
  return rows[0] ?? null;
}

export function findById<T>(db: Db, def: TableDef, id: string, spaceId?: string): Promise<T | null> {
  return spaceId === undefined
    ? findWhere<T>(db, def, `${def.alias}.id = $1`, [id])
    : findWhere<T>(db, def, `${def.alias}.id = $1 AND ${def.alias}.space_id = $2`, [id, spaceId]);
}

/** The visible row with this id (in `spaceId` when given), else 404 `<ENTITY>_NOT_FOUND`. */
export async function mustFind<T>(db: Db, def: TableDef, entity: EntityName, id: string, spaceId?: string): Promise<T> {
  const row = await findById<T>(db, def, id, spaceId);
  if (!row) throw ApiError.notFound(entity, id);
  return row;
}

/**
 * A row another one refers to, which must exist in `spaceId`: else 404 `<ENTITY>_NOT_FOUND`
 * naming the field. A row of another space is answered exactly like a missing one, so nothing
 * about other tenants shows through.
 */
export async function mustFindReference<T>(db: Db, def: TableDef, entity: EntityName, id: string, spaceId: string, field: string): Promise<T> {
  const row = await findById<T>(db, def, id, spaceId);
  if (row) return row;
  const name = entity.toLowerCase().replace(/_/g, ' ');
  throw new ApiError(404, `${entity}_NOT_FOUND`, `${field}: ${name} ${JSON.stringify(id)} was not found in space ${JSON.stringify(spaceId)}.`, {
    fields: [{ field, message: `must be a ${name} of space ${spaceId}` }],
  });
}

/** The keys of `values` that are allowed and present (undefined means "not sent"; null is a value). */
export function pickColumns(values: object, allowed: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of allowed) {
    const value = (values as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function placeholders(values: Record<string, unknown>, params: unknown[]): string[] {
  return Object.values(values).map((value) => {
    if (value === NOW) return 'now()';
    params.push(value);
    return `$${params.length}`;
  });
}

export async function insertRow(db: Db, table: string, values: Record<string, unknown>): Promise<void> {
  const params: unknown[] = [];
  const slots = placeholders(values, params);
  await db.query(`INSERT INTO ${table} (${Object.keys(values).join(', ')}) VALUES (${slots.join(', ')})`, params);
}

/** Sets columns of one visible row; false when there is no such row. */
export async function updateRow(db: Db, def: TableDef, id: string, values: Record<string, unknown>): Promise<boolean> {
  const params: unknown[] = [id];
  const sets = placeholders(values, params).map((slot, i) => `${Object.keys(values)[i]} = ${slot}`);
  const [, count] = await db.query(`UPDATE ${def.table} SET ${sets.join(', ')} WHERE id = $1${def.softDelete ? ' AND deleted_at IS NULL' : ''}`, params);
  return Number(count) > 0;
}

/** One keyset page (newest first) of the visible rows matching every filter. */
export async function listPage<T extends { id: string }>(db: Db, def: TableDef, filters: Filters, query: { limit?: number; cursor?: string }): Promise<Page<T>> {
  const params: unknown[] = [];
  const where: string[] = def.softDelete ? [`${def.alias}.deleted_at IS NULL`] : [];
  for (const [expression, value] of filters) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${expression} = $${params.length}`);
  }
  const page = keyset(query.cursor, query.limit, params.length + 1, def.alias);
  if (page.where) where.push(page.where);
  params.push(...page.params, page.fetch);
  const rows: Array<T & { cursor_at: string }> = await db.query(
    `SELECT ${def.columns}, ${cursorAt(def.alias)} FROM ${def.from}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${def.alias}.created_at DESC, ${def.alias}.id DESC LIMIT $${params.length}`,
    params,
  );
  return page.page(rows);
}
