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

export interface GrantSpec {
  scope: string;
  anchorGroupId?: string | null;
  action?: string;
  roleKey?: string;
  resource?: string;
}

/**
 * A fresh user acting as a fresh member of `spaceId` through an active binding, holding one role
 * per grant spec (each role: one permission, one member-role with its anchor). Returns the actor.
 */
export async function memberWithGrants(ds: DataSource, spaceId: string, grants: GrantSpec[]) {
  const userId = newId('user');
  const memberId = newId('member');
  const bindingId = newId('um');
  await ds.query(`INSERT INTO users (id, email) VALUES ($1, $2)`, [userId, `${userId}@example.test`]);
  await ds.query(`INSERT INTO members (id, space_id, display_name) VALUES ($1, $2, $3)`, [memberId, spaceId, `Member ${memberId}`]);
  await ds.query(`INSERT INTO user_members (id, user_id, member_id, space_id, relation_type) VALUES ($1, $2, $3, $4, 'self')`, [bindingId, userId, memberId, spaceId]);
  for (const g of grants) {
    const roleId = newId('role');
    const resource = g.resource ?? 'invoice';
    const action = g.action ?? 'read';
    await ds.query(`INSERT INTO roles (id, space_id, key, name) VALUES ($1, $2, $3, $3)`, [roleId, spaceId, g.roleKey ?? roleId]);
    const status = g.scope === 'global' ? 'disabled' : 'active';
    const [perm] = await ds.query(
      `INSERT INTO permissions (id, resource, action, scope, status) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (resource, action, scope) DO UPDATE SET status = EXCLUDED.status RETURNING id`,
      [newId('perm'), resource, action, g.scope, status],
    );
    await ds.query(`INSERT INTO role_permissions (id, role_id, permission_id) VALUES ($1, $2, $3)`, [newId('rp'), roleId, perm.id]);
    await ds.query(`INSERT INTO member_roles (id, member_id, role_id, space_id, scope_anchor_group_id) VALUES ($1, $2, $3, $4, $5)`, [
      newId('mr'), memberId, roleId, spaceId, g.anchorGroupId ?? null,
    ]);
  }
  return { user_id: userId, member_id: memberId, user_member_id: bindingId, space_id: spaceId };
}

export async function insertResource(ds: DataSource, spaceId: string, values: { id?: string; groupId?: string | null; ownerMemberId?: string | null; type?: string } = {}) {
  const id = values.id ?? newId(values.type ?? 'invoice');
  await ds.query(`INSERT INTO resources (id, resource_type, space_id, group_id, owner_member_id) VALUES ($1, $2, $3, $4, $5)`, [
    id, values.type ?? 'invoice', spaceId, values.groupId ?? null, values.ownerMemberId ?? null,
  ]);
  return id;
}
