import type { PageQuery, PlystraPage } from './types';

/** A list method of the client, e.g. `(q) => client.audit.list(q)`. */
export type PageFetcher<T, Q extends PageQuery> = (query: Q) => Promise<PlystraPage<T>>;

/**
 * Every item of a keyset-paginated list, page after page, following `pagination.cursor` until
 * `has_more` is false. The filters in `query` are sent with every page.
 *
 * ```ts
 * for await (const row of paginate((q) => client.audit.list(q), { decision: 'deny', limit: 200 })) { … }
 * ```
 */
export async function* paginate<T, Q extends PageQuery>(list: PageFetcher<T, Q>, query?: Q): AsyncGenerator<T, void, undefined> {
  for await (const page of pages(list, query)) yield* page.data;
}

/** The pages themselves (with their `pagination` and `request_id`), lazily. */
export async function* pages<T, Q extends PageQuery>(list: PageFetcher<T, Q>, query?: Q): AsyncGenerator<PlystraPage<T>, void, undefined> {
  const seen = new Set<string>();
  let cursor = query?.cursor;
  for (;;) {
    const page = await list({ ...(query ?? {}), cursor } as Q);
    yield page;
    const next = page.pagination?.cursor;
    if (!page.pagination?.has_more || !next) return;
    if (seen.has(next)) throw new Error(`pagination did not advance: the cursor ${next} was answered twice`);
    seen.add(next);
    cursor = next;
  }
}

/** Every item of a list in one array. Mind the size: prefer `paginate` for large lists. */
export async function collectAll<T, Q extends PageQuery>(list: PageFetcher<T, Q>, query?: Q): Promise<T[]> {
  const items: T[] = [];
  for await (const item of paginate(list, query)) items.push(item);
  return items;
}
