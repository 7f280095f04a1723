import { ApiError, Page } from '@plystra/http';
import type { EntitySpec } from '../management/management-writer';
import type { Db, TableDef } from '../management/table-store';

export interface GroupRow {
  id: string;
  space_id: string;
  path: string;
  [column: string]: unknown;
}

export const GROUPS: TableDef = {
  table: 'groups',
  alias: 'g',
  columns: `g.id, g.space_id, g.parent_group_id, g.name, g.display_name, g.path, g.depth, g.sort_order, g.status, g.metadata,
            g.created_at, g.updated_at`,
  from: 'groups g',
  softDelete: true,
};

export const GROUP_SPEC: EntitySpec = { def: GROUPS, entity: 'GROUP', kind: 'group' };

export const TREE_PAGE_LIMIT = 200;

function encodePathCursor(path: string): string {
  return Buffer.from(JSON.stringify({ path })).toString('base64url');
}

function decodePathCursor(raw: string | undefined): string | null {
  if (!raw) return null;
  try {
    const { path } = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof path === 'string') return path;
  } catch {
    // fall through
  }
  throw ApiError.validation('The cursor is not valid.', [{ field: 'cursor', message: 'cursor is not valid' }]);
}

/** The space's groups as a flat list ordered by path (parents before children), paged by path. */
export async function groupTreePage(db: Db, spaceId: string, query: { limit?: number; cursor?: string }): Promise<Page<GroupRow>> {
  const limit = query.limit ?? TREE_PAGE_LIMIT;
  const after = decodePathCursor(query.cursor);
  const rows: GroupRow[] = await db.query(
    `SELECT ${GROUPS.columns} FROM ${GROUPS.from}
      WHERE g.space_id = $1 AND g.deleted_at IS NULL AND ($2::text IS NULL OR g.path > $2)
      ORDER BY g.path LIMIT $3`,
    [spaceId, after, limit + 1],
  );
  const items = rows.slice(0, limit);
  return new Page(items, limit, rows.length > limit ? encodePathCursor(items.at(-1)!.path) : null);
}
