import { type Cursor, Page, decodeCursor, encodeCursor } from '@plystra/http';

export const DEFAULT_PAGE_LIMIT = 50;

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
    page<T extends { created_at: Date | string; id: string }>(rows: T[]): Page<T> {
      const items = rows.slice(0, size);
      const last = items.at(-1);
      const next = rows.length > size && last ? encodeCursor({ t: new Date(last.created_at).toISOString(), id: last.id }) : null;
      return new Page(items, size, next);
    },
  };
}
