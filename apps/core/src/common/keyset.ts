import { type Cursor, Page, decodeCursor, encodeCursor } from '@plystra/http';

export const DEFAULT_PAGE_LIMIT = 50;

/**
 * Select this in every keyset list: `created_at` to the microsecond as text. A JavaScript Date
 * keeps only milliseconds, and a cursor built from one would skip rows created in the same
 * millisecond as a page's last row.
 */
export const cursorAt = (alias = '') => `to_char(${alias ? `${alias}.` : ''}created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

/**
 * Keyset pagination over `(created_at DESC, id DESC)`. `where` gives the condition for rows after
 * the cursor, numbering its two parameters from `nextParam`; fetch `limit + 1` rows and hand them
 * to `page`, which trims the extra row and derives the next cursor from the last item kept.
 */
export function keyset(rawCursor: string | undefined, limit: number | undefined, nextParam: number, alias = '') {
  const cursor: Cursor | null = decodeCursor(rawCursor);
  const size = limit ?? DEFAULT_PAGE_LIMIT;
  const p = alias ? `${alias}.` : '';
  return {
    limit: size,
    fetch: size + 1,
    where: cursor ? `(${p}created_at, ${p}id) < ($${nextParam}::timestamptz, $${nextParam + 1})` : null,
    params: cursor ? [cursor.t, cursor.id] : [],
    page<T extends { id: string }>(rows: Array<T & { cursor_at: string }>): Page<T> {
      const items = rows.slice(0, size);
      const last = items.at(-1);
      const next = rows.length > size && last ? encodeCursor({ t: last.cursor_at, id: last.id }) : null;
      return new Page(items.map(({ cursor_at: _c, ...item }) => item as unknown as T), size, next);
    },
  };
}
