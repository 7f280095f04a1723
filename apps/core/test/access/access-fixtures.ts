import { randomBytes } from 'node:crypto';
import { newId } from '@plystra/db';
import { SessionService, type TokenHasher } from '@plystra/session';
import { API_KEY_HASHER } from '../../src/access/credential.service';
import type { CoreTestApp } from '../core-test-app';

export interface GrantSpec {
  level: 'instance_super_admin' | 'instance_admin' | 'space_admin' | 'group_admin';
  permission_key: string;
  space_id?: string | null;
  group_id?: string | null;
  status?: string;
  expires_at?: Date | null;
  revoked?: boolean;
}

export interface Admin {
  userId: string;
  memberId: string;
  token: string;
  grantIds: string[];
  auth: [string, string];
}

export interface KeySpec {
  level: 'instance' | 'space' | 'group';
  permission_keys: string[];
  space_id?: string | null;
  group_id?: string | null;
  status?: 'active' | 'disabled' | 'revoked';
  expires_at?: Date | null;
  created_by_user_id?: string | null;
}

/** Inserts admin grants as rows (the test's own setup, not the API under test). */
export async function insertGrants(core: CoreTestApp, userId: string, grants: GrantSpec[]): Promise<string[]> {
  const ids: string[] = [];
  for (const g of grants) {
    const id = newId('ag');
    const spaceId = g.space_id ?? (g.level === 'space_admin' || g.level === 'group_admin' ? 'space_acme' : null);
    await core.db.dataSource.query(
      `INSERT INTO admin_grants (id, user_id, level, permission_key, space_id, group_id, status, expires_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9 THEN now() END)`,
      [id, userId, g.level, g.permission_key, spaceId, g.group_id ?? null, g.revoked ? 'revoked' : (g.status ?? 'active'), g.expires_at ?? null, !!g.revoked],
    );
    ids.push(id);
  }
  return ids;
}

/**
 * A signed-in user bound to a fresh member of `space_acme`, with the given admin grants. The
 * session is minted by the real SessionService (what login does after the password check), so no
 * Argon2 verification is paid per user.
 */
export async function signedInAdmin(core: CoreTestApp, grants: GrantSpec[] = [], name = newId('user')): Promise<Admin> {
  const ds = core.db.dataSource;
  const userId = name;
  const memberId = newId('member');
  const userMemberId = newId('um');
  await ds.query(`INSERT INTO users (id, email, status) VALUES ($1, $2, 'active')`, [userId, `${userId}@example.test`]);
  await ds.query(`INSERT INTO members (id, space_id, display_name) VALUES ($1, 'space_acme', $2)`, [memberId, `Member of ${userId}`]);
  await ds.query(
    `INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, is_primary, linked_at) VALUES ($1, $2, $3, 'space_acme', 'self', true, now())`,
    [userMemberId, userId, memberId],
  );
  const grantIds = await insertGrants(core, userId, grants);
  const actor = { user_id: userId, member_id: memberId, user_member_id: userMemberId, space_id: 'space_acme' };
  const { access_token: token } = await core.app.get(SessionService).create(userId, actor, { ip: null, userAgent: null });
  return { userId, memberId, token, grantIds, auth: ['Authorization', `Bearer ${token}`] };
}

/** Inserts an API key row with a known plaintext, hashed exactly as the service does. */
export async function insertKey(core: CoreTestApp, spec: KeySpec): Promise<{ id: string; plaintext: string; header: [string, string] }> {
  const hasher = core.app.get<TokenHasher>(API_KEY_HASHER);
  const id = newId('ak');
  const plaintext = `ply_ak_${id}.${randomBytes(32).toString('hex')}`;
  const spaceId = spec.space_id ?? (spec.level === 'instance' ? null : 'space_acme');
  await core.db.dataSource.query(
    `INSERT INTO api_keys (id, name, key_prefix, key_hash, level, space_id, group_id, permission_keys, status, expires_at, created_by_user_id, revoked_at)
     VALUES ($1, $1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, CASE WHEN $8 = 'revoked' THEN now() END)`,
    [id, `ply_ak_${id}`, hasher.hash(plaintext), spec.level, spaceId, spec.group_id ?? null, JSON.stringify(spec.permission_keys), spec.status ?? 'active',
      spec.expires_at ?? null, spec.created_by_user_id ?? null],
  );
  return { id, plaintext, header: ['X-Plystra-API-Key', plaintext] };
}

export const HOUR = 3600_000;
export const future = () => new Date(Date.now() + HOUR);
export const past = () => new Date(Date.now() - HOUR);

/** Every error answer's shape: the envelope, the code header, the request id. */
export function expectError(res: { status: number; body: any; headers: Record<string, string> }, status: number, code: string) {
  if (res.status !== status || res.body?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (res.headers['x-plystra-error-code'] !== code) throw new Error(`missing X-Plystra-Error-Code ${code}`);
  return res.body.error;
}
