import type { EntitySpec } from '../management/management-writer';
import { type Db, type TableDef, mustFind } from '../management/table-store';

export const SPACES: TableDef = {
  table: 'spaces',
  alias: 's',
  columns: 's.id, s.name, s.slug, s.type, s.status, s.metadata, s.created_at, s.updated_at',
  from: 'spaces s',
  softDelete: true,
};

/** A space's own audit rows belong to the space itself. */
export const SPACE_SPEC: EntitySpec = { def: SPACES, entity: 'SPACE', kind: 'space', spaceOf: (row) => row.id };

/** 404 SPACE_NOT_FOUND unless the space exists (lists under /spaces/{id}/… answer it for an unknown space). */
export function mustFindSpace(db: Db, id: string) {
  return mustFind(db, SPACES, 'SPACE', id);
}
