import { createHmac, randomBytes } from 'node:crypto';
import { newId } from '@plystra/db';
import type { DataSource } from 'typeorm';
import type { CoreTestApp } from '../core-test-app';

/** The API-key secret the test harness configures (core-test-app.ts). */
export const TEST_API_KEY_SECRET = 'test-api-key-secret-0123456789abcdef0123';
export const DEMO_PASSWORD = 'plystra-demo';

export interface KeyOptions {
  level: 'instance' | 'space' | 'group';
  spaceId?: string | null;
  groupId?: string | null;
  permissionKeys?: string[];
  status?: string;
}

/** Inserts an API key row the way the API-key routes would, and returns its one-time plaintext. */
export async function insertApiKey(ds: DataSource, options: KeyOptions): Promise<string> {
  const id = newId('ak');
  const plaintext = `ply_ak_${id}.${randomBytes(32).toString('hex')}`;
  const hash = createHmac('sha256', TEST_API_KEY_SECRET).update(plaintext).digest('hex');
  await ds.query(
    `INSERT INTO api_keys (id, name, key_prefix, key_hash, level, space_id, group_id, permission_keys, status, revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10)`,
    [id, `test key ${id}`, `ply_ak_${id}`, hash, options.level, options.spaceId ?? null, options.groupId ?? null,
      JSON.stringify(options.permissionKeys ?? ['authz:check']), options.status ?? 'active', options.status === 'revoked' ? new Date() : null],
  );
  return plaintext;
}

export async function grantAdmin(ds: DataSource, userId: string, level: string, permissionKey: string, scope: { spaceId?: string; groupId?: string } = {}): Promise<void> {
  await ds.query(
    `INSERT INTO admin_grants (id, user_id, level, permission_key, space_id, group_id) VALUES ($1, $2, $3, $4, $5, $6)`,
    [newId('ag'), userId, level, permissionKey, scope.spaceId ?? null, scope.groupId ?? null],
  );
}

export async function login(core: CoreTestApp, email: string, password = DEMO_PASSWORD): Promise<string> {
  const res = await core.http.post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.access_token;
}

export const actorOf = (user: string, binding: string, member = 'member_finance_reviewer', space = 'space_acme') => ({
  user_id: user, member_id: member, user_member_id: binding, space_id: space,
});
export const alice = actorOf('user_alice', 'um_alice_finance_reviewer');
export const bob = actorOf('user_bob', 'um_bob_finance_reviewer');

/** POST a body to an authz route with an API key. */
export function withKey(core: CoreTestApp, key: string, path: string, body: unknown) {
  return core.http.post(`/api/v1/authz/${path}`).set('X-Plystra-API-Key', key).send(body as object);
}

export function withSession(core: CoreTestApp, token: string, path: string, body: unknown) {
  return core.http.post(`/api/v1/authz/${path}`).set('Authorization', `Bearer ${token}`).send(body as object);
}

export async function auditRow(ds: DataSource, id: string) {
  const [row] = await ds.query(`SELECT * FROM audit_logs WHERE id = $1`, [id]);
  return row;
}
