import type { EntitySpec } from '../management/management-writer';
import type { TableDef } from '../management/table-store';

/** Users as the API shows them: never the password hash. */
export const USERS: TableDef = {
  table: 'users',
  alias: 'u',
  columns: `u.id, u.email, u.username, u.phone, u.status, u.password_changed_at, u.last_login_at, u.email_verified_at, u.metadata,
            u.created_at, u.updated_at`,
  from: 'users u',
  softDelete: true,
};

export const USER_SPEC: EntitySpec = { def: USERS, entity: 'USER', kind: 'user' };
