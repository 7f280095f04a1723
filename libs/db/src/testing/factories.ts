import type { DataSource } from 'typeorm';
import { newId } from '../ids';

/** Small factories that insert real rows; every field can be overridden. */
export async function insertSpace(ds: DataSource, values: { id?: string; name?: string; type?: string; status?: string } = {}) {
  const id = values.id ?? newId('space');
  await ds.query(`INSERT INTO spaces (id, name, type, status) VALUES ($1, $2, $3, $4)`, [
    id, values.name ?? `Space ${id}`, values.type ?? 'custom', values.status ?? 'active',
  ]);
  return id;
}

export async function insertUser(
  ds: DataSource,
  values: { id?: string; email?: string; status?: string; passwordHash?: string | null } = {},
) {
  const id = values.id ?? newId('user');
  const email = values.email ?? `${id}@example.test`;
  await ds.query(`INSERT INTO users (id, email, status, password_hash) VALUES ($1, $2, $3, $4)`, [
    id, email, values.status ?? 'active', values.passwordHash ?? null,
  ]);
  return { id, email };
}

export async function insertMember(ds: DataSource, spaceId: string, values: { id?: string; displayName?: string; status?: string } = {}) {
  const id = values.id ?? newId('member');
  await ds.query(`INSERT INTO members (id, space_id, display_name, status) VALUES ($1, $2, $3, $4)`, [
    id, spaceId, values.displayName ?? `Member ${id}`, values.status ?? 'active',
  ]);
  return id;
}

export async function insertUserMember(
  ds: DataSource,
  values: { id?: string; userId: string; memberId: string; spaceId: string; relationType?: string; status?: string; isPrimary?: boolean; expiresAt?: Date | null },
) {
  const id = values.id ?? newId('um');
  await ds.query(
    `INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, status, is_primary, expires_at, linked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())`,
    [id, values.userId, values.memberId, values.spaceId, values.relationType ?? 'self', values.status ?? 'active', values.isPrimary ?? false, values.expiresAt ?? null],
  );
  return id;
}

export async function insertGroup(ds: DataSource, spaceId: string, path: string, values: { id?: string; parentGroupId?: string | null } = {}) {
  const id = values.id ?? newId('group');
  await ds.query(`INSERT INTO groups (id, space_id, parent_group_id, name, path) VALUES ($1, $2, $3, $4, $5)`, [
    id, spaceId, values.parentGroupId ?? null, path.split('.').at(-1), path,
  ]);
  return id;
}
