import { newId } from '@plystra/db';
import { PasswordHasher, type TokenHasher } from '@plystra/session';
import { randomBytes } from 'node:crypto';
import type { Response, Test } from 'supertest';
import { API_KEY_HASHER } from '../../src/access/credential.service';
import { DEMO_PASSWORD } from '../../src/demo/demo-seed';
import { type CoreTestApp, startCore } from '../core-test-app';

/** A signed-in caller of the management API. */
export interface Caller {
  userId: string | null;
  /** The credential headers, for hand-made requests. */
  headers: Record<string, string>;
  get(path: string): Test;
  post(path: string, body?: unknown): Test;
  patch(path: string, body?: unknown): Test;
  put(path: string, body?: unknown): Test;
  del(path: string): Test;
}

export interface ManagementTestApp extends CoreTestApp {
  /** user_alice, made an instance super admin. */
  admin: Caller;
  /** A new user holding one admin grant, signed in through a binding in `bindingSpace`. */
  grantee(grant: { level: 'instance_admin' | 'space_admin' | 'group_admin'; permissionKey: string; spaceId?: string; groupId?: string }): Promise<Caller>;
  /** An active API key (inserted directly), created by `createdBy`. */
  apiKey(key: { level: 'instance' | 'space' | 'group'; permissionKeys: string[]; spaceId?: string; groupId?: string; createdBy?: string }): Promise<Caller & { id: string }>;
  /** Every audit row written for a resource id. */
  auditOf(resourceId: string): Promise<Array<{ action: string; resource_type: string; space_id: string | null; actor_user_id: string | null; request_id: string; trace: any }>>;
}

const hasher = new PasswordHasher();
let sharedHash: Promise<string> | undefined;

export async function startManagement(): Promise<ManagementTestApp> {
  const core = await startCore();
  const ds = core.db.dataSource;
  await ds.query(`INSERT INTO admin_grants (id, user_id, level, permission_key) VALUES ('ag_test_super', 'user_alice', 'instance_super_admin', '*')`);

  const callerWith = (userId: string | null, auth: Record<string, string>): Caller => {
    const url = (path: string) => `/api/v1${path}`;
    return {
      userId,
      headers: auth,
      get: (path) => core.http.get(url(path)).set(auth),
      post: (path, body) => core.http.post(url(path)).set(auth).send(body as object),
      patch: (path, body) => core.http.patch(url(path)).set(auth).send(body as object),
      put: (path, body) => core.http.put(url(path)).set(auth).send(body as object),
      del: (path) => core.http.delete(url(path)).set(auth),
    };
  };

  const signIn = async (userId: string, email: string, password: string): Promise<Caller> => {
    const login = await core.http.post('/api/v1/auth/login').send({ email, password });
    if (login.status !== 200) throw new Error(`login of ${email} failed: ${login.status} ${JSON.stringify(login.body)}`);
    return callerWith(userId, { Authorization: `Bearer ${login.body.data.access_token}` });
  };

  const admin = await signIn('user_alice', 'alice@example.com', DEMO_PASSWORD);

  return {
    ...core,
    admin,
    async grantee(grant) {
      sharedHash ??= hasher.hash(DEMO_PASSWORD);
      const userId = newId('user');
      const email = `${userId}@example.test`;
      const memberId = newId('member');
      await ds.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3)`, [userId, email, await sharedHash]);
      await ds.query(`INSERT INTO members (id, space_id, display_name) VALUES ($1, 'space_acme', $2)`, [memberId, `Member of ${userId}`]);
      await ds.query(
        `INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, is_primary) VALUES ($1, $2, $3, 'space_acme', 'self', true)`,
        [newId('um'), userId, memberId],
      );
      await ds.query(`INSERT INTO admin_grants (id, user_id, level, permission_key, space_id, group_id) VALUES ($1, $2, $3, $4, $5, $6)`, [
        newId('ag'), userId, grant.level, grant.permissionKey, grant.spaceId ?? null, grant.groupId ?? null,
      ]);
      return signIn(userId, email, DEMO_PASSWORD);
    },
    async apiKey(key) {
      const id = newId('ak');
      const plaintext = `ply_ak_${id}.${randomBytes(32).toString('hex')}`;
      const hasher = core.app.get<TokenHasher>(API_KEY_HASHER);
      await ds.query(
        `INSERT INTO api_keys (id, name, key_prefix, key_hash, level, space_id, group_id, permission_keys, created_by_user_id)
         VALUES ($1, 'test key', $2, $3, $4, $5, $6, $7, $8)`,
        [id, `ply_ak_${id}`, hasher.hash(plaintext), key.level, key.spaceId ?? null, key.groupId ?? null, JSON.stringify(key.permissionKeys), key.createdBy ?? null],
      );
      return { ...callerWith(key.createdBy ?? null, { 'X-Plystra-API-Key': plaintext }), id };
    },
    auditOf(resourceId) {
      return ds.query(
        `SELECT action, resource_type, space_id, actor_user_id, request_id, trace FROM audit_logs WHERE resource_id = $1 ORDER BY created_at, id`,
        [resourceId],
      );
    },
  };
}

/** The error code of an answer, for compact assertions. */
export const codeOf = (res: Response) => res.body?.error?.code as string | undefined;
