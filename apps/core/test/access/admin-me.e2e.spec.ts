import { DEMO_PASSWORD } from '../../src/demo/demo-seed';
import { startCore, type CoreTestApp } from '../core-test-app';
import { expectError, future, insertKey, past, signedInAdmin } from './access-fixtures';

const ME = '/api/v1/admin/me';

describe('GET /admin/me (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  beforeAll(async () => {
    core = await startCore();
  });
  afterAll(() => core.close());

  it('describes a super-admin session: actor, grants and the "*" capability', async () => {
    const root = await signedInAdmin(core, [{ level: 'instance_super_admin', permission_key: '*' }]);
    const res = await core.http.get(ME).set(...root.auth).expect(200);
    expect(res.body.data).toEqual({
      credential_type: 'session',
      session_id: expect.stringMatching(/^sess_[0-9a-f]{64}$/),
      user_id: root.userId,
      active_space: { id: 'space_acme', name: 'Acme', slug: 'acme', type: 'custom', status: 'active' },
      active_member: { id: root.memberId, space_id: 'space_acme', display_name: `Member of ${root.userId}`, member_type: 'human', status: 'active' },
      grants: [expect.objectContaining({ id: root.grantIds[0], level: 'instance_super_admin', permission_key: '*', status: 'active' })],
      capabilities: { '*': true },
      super_admin: true,
    });
  });

  it('works for a session from a real password login', async () => {
    const login = await core.http.post('/api/v1/auth/login').send({ email: 'alice@example.com', password: DEMO_PASSWORD }).expect(200);
    const res = await core.http.get(ME).set('Authorization', `Bearer ${login.body.data.access_token}`).expect(200);
    expect(res.body.data).toMatchObject({ credential_type: 'session', user_id: 'user_alice', active_member: { id: 'member_finance_reviewer' }, grants: [], capabilities: {} });
  });

  it('lets any signed-in user read their own grants, active ones only, without instance:read', async () => {
    const plain = await signedInAdmin(core);
    const empty = await core.http.get(ME).set(...plain.auth).expect(200);
    expect(empty.body.data).toMatchObject({ credential_type: 'session', user_id: plain.userId, grants: [], capabilities: {}, super_admin: false });

    const scoped = await signedInAdmin(core, [
      { level: 'space_admin', permission_key: 'users:read' },
      { level: 'group_admin', group_id: 'group_finance', permission_key: 'groups:manage' },
      { level: 'instance_admin', permission_key: 'audit:read', revoked: true },
      { level: 'instance_admin', permission_key: 'spaces:read', expires_at: past() },
      { level: 'instance_admin', permission_key: 'roles:read', status: 'disabled' },
      { level: 'instance_admin', permission_key: 'registry:read', expires_at: future() },
    ]);
    const res = await core.http.get(ME).set(...scoped.auth).expect(200);
    expect(res.body.data.grants.map((g: { permission_key: string }) => g.permission_key).sort()).toEqual(['groups:manage', 'registry:read', 'users:read']);
    expect(res.body.data.capabilities).toEqual({ 'users:read': true, 'groups:manage': true, 'registry:read': true });
    expect(res.body.data.super_admin).toBe(false);
  });

  it('describes an API key: its scope and permissions, never its hash, and never super admin even with "*"', async () => {
    const key = await insertKey(core, { level: 'space', permission_keys: ['*', 'authz:check'], created_by_user_id: 'user_alice' });
    const res = await core.http.get(ME).set(...key.header).expect(200);
    expect(res.body.data).toMatchObject({
      credential_type: 'api_key',
      user_id: 'user_alice',
      active_space: { id: 'space_acme' },
      active_member: null,
      grants: [],
      capabilities: { '*': true, 'authz:check': true },
      super_admin: false,
      api_key: { id: key.id, key_prefix: `ply_ak_${key.id}`, level: 'space', space_id: 'space_acme', permission_keys: ['*', 'authz:check'] },
    });
    expect(res.body.data).not.toHaveProperty('session_id');
    expect(JSON.stringify(res.body)).not.toMatch(/key_hash|password_hash/);
    await core.http.get(ME).set('Authorization', `Bearer ${key.plaintext}`).expect(200);
  });

  it('refuses a missing, unknown, expired or revoked credential with 401, and an admin token is no credential', async () => {
    expectError(await core.http.get(ME), 401, 'AUTHENTICATION_REQUIRED');
    expectError(await core.http.get(ME).set('X-Plystra-Admin-Token', 'change-me'), 401, 'AUTHENTICATION_REQUIRED');
    expectError(await core.http.get(ME).set('Authorization', `Bearer ply_at_${'0'.repeat(64)}`), 401, 'AUTHENTICATION_REQUIRED');
    const revoked = await insertKey(core, { level: 'instance', permission_keys: ['*'], status: 'revoked' });
    expectError(await core.http.get(ME).set(...revoked.header), 401, 'AUTHENTICATION_REQUIRED');
    const user = await signedInAdmin(core);
    await core.db.dataSource.query(`UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = $1`, [user.userId]);
    expectError(await core.http.get(ME).set(...user.auth), 401, 'SESSION_EXPIRED');
  });
});
