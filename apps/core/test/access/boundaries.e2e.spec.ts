import { AccessPolicy } from '../../src/access/access-policy.service';
import { CredentialService } from '../../src/access/credential.service';
import { startCore, type CoreTestApp } from '../core-test-app';
import { type Admin, type GrantSpec, type KeySpec, expectError, future, insertGrants, insertKey, past, signedInAdmin } from './access-fixtures';

const GRANTS = '/api/v1/admin/grants';
const KEYS = '/api/v1/api-keys';
type Scope = 'instance' | 'acme' | 'other' | 'apac' | 'legal';
const SCOPES: Scope[] = ['instance', 'acme', 'other', 'apac', 'legal'];

/**
 * The "Admin boundaries" acceptance list (core.md §7–8, reference §5.2–5.3), over the admin-grant
 * and API-key routes: one target grant and one target key in each scope, and callers holding
 * exactly one kind of authority each.
 */
describe('admin boundaries (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  let root: Admin;
  const grant = {} as Record<Scope, string>;
  const key = {} as Record<Scope, string>;

  const grantSpecs: Record<Scope, GrantSpec> = {
    instance: { level: 'instance_admin', permission_key: 'audit:read' },
    acme: { level: 'space_admin', permission_key: 'audit:read' },
    other: { level: 'space_admin', space_id: 'space_other', permission_key: 'audit:read' },
    apac: { level: 'group_admin', group_id: 'group_finance_apac', permission_key: 'audit:read' },
    legal: { level: 'group_admin', group_id: 'group_legal', permission_key: 'audit:read' },
  };
  const keySpecs: Record<Scope, KeySpec> = {
    instance: { level: 'instance', permission_keys: ['authz:check'] },
    acme: { level: 'space', permission_keys: ['authz:check'] },
    other: { level: 'space', space_id: 'space_other', permission_keys: ['authz:check'] },
    apac: { level: 'group', group_id: 'group_finance_apac', permission_keys: ['authz:check'] },
    legal: { level: 'group', group_id: 'group_legal', permission_keys: ['authz:check'] },
  };

  beforeAll(async () => {
    core = await startCore();
    await core.db.dataSource.query(`INSERT INTO spaces (id, name) VALUES ('space_other', 'Other')`);
    await core.db.dataSource.query(`INSERT INTO groups (id, space_id, name, path) VALUES ('group_other_ops', 'space_other', 'Ops', 'ops')`);
    root = await signedInAdmin(core, [{ level: 'instance_super_admin', permission_key: '*' }], 'user_root');
    for (const scope of SCOPES) {
      [grant[scope]] = await insertGrants(core, 'user_bob', [grantSpecs[scope]]);
      key[scope] = (await insertKey(core, keySpecs[scope])).id;
    }
  });
  afterAll(() => core.close());

  const get = (auth: [string, string], path: string) => core.http.get(path).set(...auth);
  const post = (auth: [string, string], path: string, body: object = {}) => core.http.post(path).set(...auth).send(body);
  /** Which of the five target grants (or keys) a caller may read, by scope. */
  const readable = async (auth: [string, string], base: string, ids: Record<Scope, string>) => {
    const out: Scope[] = [];
    for (const scope of SCOPES) {
      const res = await get(auth, `${base}/${ids[scope]}`);
      if (res.status === 200) out.push(scope);
      else expectError(res, 403, 'ADMIN_PERMISSION_REQUIRED');
    }
    return out;
  };
  const listed = async (auth: [string, string], base: string, ids: Record<Scope, string>, query: Record<string, string> = {}) => {
    const res = await core.http.get(base).query({ limit: 200, ...query }).set(...auth).expect(200);
    const seen = new Set(res.body.data.map((r: { id: string }) => r.id));
    return SCOPES.filter((scope) => seen.has(ids[scope]));
  };

  it('a super admin passes everything', async () => {
    expect(await readable(root.auth, GRANTS, grant)).toEqual(SCOPES);
    expect(await readable(root.auth, KEYS, key)).toEqual(SCOPES);
    expect(await listed(root.auth, GRANTS, grant, { user_id: 'user_bob' })).toEqual(SCOPES);
    expect(await listed(root.auth, KEYS, key)).toEqual(SCOPES);
    await post(root.auth, GRANTS, { user_id: 'user_bob', level: 'instance_admin', permission_key: '*' }).expect(201);
    await post(root.auth, GRANTS, { user_id: 'user_bob', level: 'group_admin', group_id: 'group_other_ops', permission_key: 'users:manage' }).expect(201);
    await post(root.auth, KEYS, { name: 'all', level: 'instance', permission_keys: ['*'] }).expect(201);
  });

  it('users:manage implies users:read but not spaces:read; api_keys:manage implies api_keys:create', async () => {
    const admin = await signedInAdmin(core, [
      { level: 'space_admin', permission_key: 'admin_grants:manage' },
      { level: 'space_admin', permission_key: 'users:manage' },
    ]);
    const body = (permission_key: string) => ({ user_id: 'user_bob', level: 'space_admin', space_id: 'space_acme', permission_key });
    await post(admin.auth, GRANTS, body('users:read')).expect(201);
    await post(admin.auth, GRANTS, body('users:*')).expect(201);
    expect(expectError(await post(admin.auth, GRANTS, body('spaces:read')), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('spaces:read');

    const manager = await insertKey(core, { level: 'space', permission_keys: ['api_keys:manage', 'users:manage'] });
    const keyBody = (permission_keys: string[]) => ({ name: 'k', level: 'space', space_id: 'space_acme', permission_keys });
    await post(manager.header, KEYS, keyBody(['users:read', 'api_keys:read'])).expect(201);
    expect(expectError(await post(manager.header, KEYS, keyBody(['spaces:read'])), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('spaces:read');
    const reader = await insertKey(core, { level: 'space', permission_keys: ['api_keys:read', 'users:manage'] });
    expect(expectError(await post(reader.header, KEYS, keyBody(['users:read'])), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('api_keys:create');
  });

  it('a space admin is refused in another space and at instance level, and covers its own space\'s groups', async () => {
    const admin = await signedInAdmin(core, [{ level: 'space_admin', permission_key: '*' }]);
    expect(await readable(admin.auth, GRANTS, grant)).toEqual(['acme', 'apac', 'legal']);
    expect(await readable(admin.auth, KEYS, key)).toEqual(['acme', 'apac', 'legal']);
    expect(await listed(admin.auth, GRANTS, grant, { user_id: 'user_bob' })).toEqual(['acme', 'apac', 'legal']);
    expect(await listed(admin.auth, KEYS, key)).toEqual(['acme', 'apac', 'legal']);

    const refused = expectError(await post(admin.auth, GRANTS, { user_id: 'user_bob', level: 'space_admin', space_id: 'space_other', permission_key: 'audit:read' }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expect(refused.details).toEqual({ permission: 'admin_grants:manage', space_id: 'space_other' });
    expectError(await post(admin.auth, GRANTS, { user_id: 'user_bob', level: 'group_admin', group_id: 'group_other_ops', permission_key: 'audit:read' }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expectError(await post(admin.auth, `${GRANTS}/${grant.other}/revoke`), 403, 'ADMIN_PERMISSION_REQUIRED');
    expectError(await post(admin.auth, KEYS, { name: 'k', level: 'space', space_id: 'space_other', permission_keys: ['authz:check'] }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expectError(await post(admin.auth, KEYS, { name: 'k', level: 'instance', permission_keys: ['authz:check'] }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expectError(await post(admin.auth, `${KEYS}/${key.other}/revoke`), 403, 'ADMIN_PERMISSION_REQUIRED');
    expectError(await post(admin.auth, `${KEYS}/${key.instance}/revoke`), 403, 'ADMIN_PERMISSION_REQUIRED');

    await post(admin.auth, GRANTS, { user_id: 'user_bob', level: 'group_admin', group_id: 'group_legal', permission_key: 'audit:read' }).expect(201);
    await post(admin.auth, KEYS, { name: 'k', level: 'group', group_id: 'group_legal', permission_keys: ['*'] }).expect(201);
    const own = await insertKey(core, { level: 'space', permission_keys: ['authz:check'] });
    await post(admin.auth, `${KEYS}/${own.id}/revoke`).expect(200);
  });

  it('a group admin covers its subtree and not the bare space', async () => {
    const admin = await signedInAdmin(core, [{ level: 'group_admin', group_id: 'group_finance', permission_key: '*' }]);
    expect(await readable(admin.auth, GRANTS, grant)).toEqual(['apac']);
    expect(await readable(admin.auth, KEYS, key)).toEqual(['apac']);
    expect(await listed(admin.auth, GRANTS, grant, { user_id: 'user_bob' })).toEqual(['apac']);
    expect(await listed(admin.auth, KEYS, key)).toEqual(['apac']);

    await post(admin.auth, GRANTS, { user_id: 'user_bob', level: 'group_admin', group_id: 'group_finance_emea', permission_key: 'users:read' }).expect(201);
    await post(admin.auth, GRANTS, { user_id: 'user_bob', level: 'group_admin', group_id: 'group_finance', permission_key: '*' }).expect(201);
    await post(admin.auth, KEYS, { name: 'k', level: 'group', group_id: 'group_finance_apac', permission_keys: ['authz:check'] }).expect(201);
    const bare = expectError(await post(admin.auth, GRANTS, { user_id: 'user_bob', level: 'space_admin', space_id: 'space_acme', permission_key: 'users:read' }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expect(bare.details).toEqual({ permission: 'admin_grants:manage', space_id: 'space_acme' });
    expectError(await post(admin.auth, GRANTS, { user_id: 'user_bob', level: 'group_admin', group_id: 'group_legal', permission_key: 'users:read' }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expectError(await post(admin.auth, KEYS, { name: 'k', level: 'space', space_id: 'space_acme', permission_keys: ['authz:check'] }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expectError(await post(admin.auth, `${KEYS}/${key.acme}/revoke`), 403, 'ADMIN_PERMISSION_REQUIRED');
  });

  it('refuses inactive, revoked and expired keys with 401, and the same grants with 403', async () => {
    for (const spec of [{ status: 'disabled' }, { status: 'revoked' }, { expires_at: past() }] as const) {
      const bad = await insertKey(core, { level: 'instance', permission_keys: ['*'], ...spec });
      expectError(await get(bad.header, GRANTS), 401, 'AUTHENTICATION_REQUIRED');
      expectError(await get(bad.header, KEYS), 401, 'AUTHENTICATION_REQUIRED');
    }
    await get((await insertKey(core, { level: 'instance', permission_keys: ['*'], expires_at: future() })).header, GRANTS).expect(200);

    const specs: GrantSpec[] = [
      { level: 'instance_admin', permission_key: '*', status: 'disabled' },
      { level: 'instance_admin', permission_key: '*', revoked: true },
      { level: 'instance_admin', permission_key: '*', expires_at: past() },
    ];
    for (const spec of specs) {
      const admin = await signedInAdmin(core, [spec]);
      expect(expectError(await get(admin.auth, GRANTS), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('admin_grants:read');
      expect(expectError(await get(admin.auth, KEYS), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('api_keys:read');
    }
    const live = await signedInAdmin(core, [{ level: 'instance_admin', permission_key: '*', expires_at: future() }]);
    await get(live.auth, GRANTS).expect(200);
    await post(root.auth, `${GRANTS}/${live.grantIds[0]}/revoke`).expect(200);
    expectError(await get(live.auth, GRANTS), 403, 'ADMIN_PERMISSION_REQUIRED');
  });

  it('a key or a grant cannot carry a permission its creator lacks, even through an instance-wide target', async () => {
    const admin = await signedInAdmin(core, [
      { level: 'instance_admin', permission_key: 'admin_grants:manage' },
      { level: 'instance_admin', permission_key: 'api_keys:create' },
      { level: 'instance_admin', permission_key: 'users:read' },
      { level: 'space_admin', permission_key: 'roles:manage' },
    ]);
    const grantBody = (permission_key: string, space_id = 'space_acme') => ({ user_id: 'user_bob', level: 'space_admin', space_id, permission_key });
    await post(admin.auth, GRANTS, grantBody('users:read')).expect(201);
    await post(admin.auth, GRANTS, grantBody('roles:read')).expect(201);
    expect(expectError(await post(admin.auth, GRANTS, grantBody('users:manage')), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('users:manage');
    expect(expectError(await post(admin.auth, GRANTS, grantBody('*')), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('*');
    expect(expectError(await post(admin.auth, GRANTS, grantBody('roles:read', 'space_other')), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('roles:read');

    await post(admin.auth, KEYS, { name: 'k', level: 'instance', permission_keys: ['users:read'] }).expect(201);
    await post(admin.auth, KEYS, { name: 'k', level: 'space', space_id: 'space_acme', permission_keys: ['roles:read', 'users:read'] }).expect(201);
    // roles:manage is held in one space only: it cannot go on an instance-wide key.
    expect(expectError(await post(admin.auth, KEYS, { name: 'k', level: 'instance', permission_keys: ['roles:read'] }), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('roles:read');

    // A space-scoped holder of handler-resolved permissions passes the routes, but not with an instance-wide target.
    const spaceAdmin = await signedInAdmin(core, [
      { level: 'space_admin', permission_key: 'api_keys:create' },
      { level: 'space_admin', permission_key: 'admin_grants:manage' },
    ]);
    const escalation = expectError(await post(spaceAdmin.auth, KEYS, { name: 'k', level: 'instance', permission_keys: ['admin_grants:manage'] }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expect(escalation.details).toEqual({ permission: 'api_keys:create' });
    const mixed = await signedInAdmin(core, [
      { level: 'instance_admin', permission_key: 'api_keys:create' },
      { level: 'space_admin', permission_key: 'admin_grants:manage' },
    ]);
    expect(expectError(await post(mixed.auth, KEYS, { name: 'k', level: 'instance', permission_keys: ['admin_grants:manage'] }), 403, 'ADMIN_PERMISSION_REQUIRED').details.permission).toBe('admin_grants:manage');
    await post(mixed.auth, KEYS, { name: 'k', level: 'space', space_id: 'space_acme', permission_keys: ['admin_grants:manage'] }).expect(201);
  });

  it('an API key "*" and an instance-admin "*" are not super admin', async () => {
    const star = await insertKey(core, { level: 'instance', permission_keys: ['*'] });
    await get(star.header, GRANTS).expect(200);
    expectError(await post(star.header, GRANTS, { user_id: 'user_bob', level: 'space_admin', space_id: 'space_acme', permission_key: 'users:read' }), 403, 'ADMIN_PERMISSION_REQUIRED');

    const instanceAdmin = await signedInAdmin(core, [{ level: 'instance_admin', permission_key: '*' }]);
    for (const level of ['instance_admin', 'instance_super_admin']) {
      const error = expectError(await post(instanceAdmin.auth, GRANTS, { user_id: 'user_bob', level, permission_key: 'users:read' }), 403, 'ADMIN_PERMISSION_REQUIRED');
      expect(error.message).toMatch(/super admin/);
    }
    expectError(await post(instanceAdmin.auth, `${GRANTS}/${root.grantIds[0]}/revoke`), 403, 'ADMIN_PERMISSION_REQUIRED');
    expectError(await post(instanceAdmin.auth, `${GRANTS}/${grant.instance}/revoke`), 403, 'ADMIN_PERMISSION_REQUIRED');
    await post(instanceAdmin.auth, GRANTS, { user_id: 'user_bob', level: 'space_admin', space_id: 'space_other', permission_key: '*' }).expect(201);
    expect((await get(instanceAdmin.auth, '/api/v1/admin/me').expect(200)).body.data.super_admin).toBe(false);
  });

  it('only user sessions create or revoke grants', async () => {
    const grantKey = await insertKey(core, { level: 'instance', permission_keys: ['admin_grants:manage', 'users:read'] });
    await get(grantKey.header, GRANTS).expect(200);
    const created = expectError(await post(grantKey.header, GRANTS, { user_id: 'user_bob', level: 'space_admin', space_id: 'space_acme', permission_key: 'users:read' }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expect(created.message).toMatch(/session/);
    expectError(await post(grantKey.header, `${GRANTS}/${grant.acme}/revoke`), 403, 'ADMIN_PERMISSION_REQUIRED');
    const [row] = await core.db.dataSource.query(`SELECT status FROM admin_grants WHERE id = $1`, [grant.acme]);
    expect(row.status).toBe('active');
  });

  it('a space key passes the route only for handler-resolved permissions, and is then checked against the real target', async () => {
    const spaceKey = await insertKey(core, { level: 'space', permission_keys: ['api_keys:read', 'authz:check', 'users:read'] });
    expect(await listed(spaceKey.header, KEYS, key)).toEqual(['acme', 'apac', 'legal']);
    expect(await readable(spaceKey.header, KEYS, key)).toEqual(['acme', 'apac', 'legal']);
    expect(expectError(await get(spaceKey.header, `${KEYS}/${key.instance}`), 403, 'ADMIN_PERMISSION_REQUIRED').details).toEqual({ permission: 'api_keys:read' });

    const principal = await core.app.get(CredentialService).apiKey(spaceKey.plaintext);
    const policy = core.app.get(AccessPolicy);
    expect(await policy.covers(principal, { permission: 'api_keys:read' })).toBe(true);
    expect(await policy.covers(principal, { permission: 'authz:check' })).toBe(true);
    expect(await policy.covers(principal, { permission: 'users:read' })).toBe(false);
    expect(await policy.covers(principal, { permission: 'users:read', spaceId: 'space_acme' })).toBe(true);
    expect(await policy.covers(principal, { permission: 'users:read', spaceId: 'space_other' })).toBe(false);
    expect(await policy.covers(principal, { permission: 'authz:check', spaceId: 'space_other' })).toBe(false);
    expect(await policy.covers(principal, { permission: 'spaces:read', spaceId: 'space_acme' })).toBe(false);
  });

  describe('at the routes of the rest of the management API', () => {
    const permissionOf = async (res: Promise<{ status: number; body: any; headers: Record<string, string> }> | { status: number; body: any; headers: Record<string, string> }) =>
      expectError(await res, 403, 'ADMIN_PERMISSION_REQUIRED').details.permission;

    it('users:manage implies users:read but not spaces:read', async () => {
      const admin = await signedInAdmin(core, [{ level: 'instance_admin', permission_key: 'users:manage' }]);
      await get(admin.auth, '/api/v1/users').expect(200);
      await get(admin.auth, '/api/v1/users/user_alice').expect(200);
      expect(await permissionOf(get(admin.auth, '/api/v1/spaces'))).toBe('spaces:read');
      expect(await permissionOf(get(admin.auth, '/api/v1/spaces/space_acme'))).toBe('spaces:read');
    });

    it('a space admin reaches its space only, and no instance-wide route', async () => {
      const admin = await signedInAdmin(core, [{ level: 'space_admin', permission_key: '*' }]);
      await get(admin.auth, '/api/v1/spaces/space_acme').expect(200);
      await get(admin.auth, '/api/v1/spaces/space_acme/groups/group_legal').expect(200);
      expect(await permissionOf(get(admin.auth, '/api/v1/spaces/space_other'))).toBe('spaces:read');
      expect(await permissionOf(get(admin.auth, '/api/v1/spaces/space_other/groups/group_other_ops'))).toBe('groups:read');
      expect(await permissionOf(get(admin.auth, '/api/v1/users'))).toBe('users:read');
      expect(await permissionOf(get(admin.auth, '/api/v1/console/overview'))).toBe('instance:read');
    });

    it('a group admin reaches its subtree and not the bare space', async () => {
      const admin = await signedInAdmin(core, [{ level: 'group_admin', group_id: 'group_finance', permission_key: 'groups:read' }]);
      await get(admin.auth, '/api/v1/spaces/space_acme/groups/group_finance').expect(200);
      await get(admin.auth, '/api/v1/spaces/space_acme/groups/group_finance_apac').expect(200);
      expect(await permissionOf(get(admin.auth, '/api/v1/spaces/space_acme/groups/group_legal'))).toBe('groups:read');
      expect(await permissionOf(get(admin.auth, '/api/v1/spaces/space_acme/groups'))).toBe('groups:read');
    });

    it('an authz:check key passes the route anywhere, and then only for checks inside its scope', async () => {
      const check = (header: [string, string], resource_id: string) =>
        post(header, '/api/v1/authz/check', {
          actor: { user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' },
          resource_type: 'invoice', resource_id, action: 'approve',
        });
      const acme = await insertKey(core, { level: 'space', permission_keys: ['authz:check'] });
      const other = await insertKey(core, { level: 'space', space_id: 'space_other', permission_keys: ['authz:check'] });
      const finance = await insertKey(core, { level: 'group', group_id: 'group_finance', permission_keys: ['authz:check'] });
      expect((await check(acme.header, 'invoice_001').expect(200)).body.data.allow).toBe(true);
      expect((await check(finance.header, 'invoice_001').expect(200)).body.data.allow).toBe(true);
      expect(await permissionOf(check(other.header, 'invoice_001'))).toBe('authz:check');
      expect(await permissionOf(check(finance.header, 'invoice_002'))).toBe('authz:check');
      const instanceRead = await insertKey(core, { level: 'space', permission_keys: ['instance:read'] });
      expect(await permissionOf(get(instanceRead.header, '/api/v1/console/overview'))).toBe('instance:read');
      await get((await insertKey(core, { level: 'instance', permission_keys: ['instance:read'] })).header, '/api/v1/console/overview').expect(200);
    });
  });

  it('answers a missing credential with 401 AUTHENTICATION_REQUIRED everywhere; an admin token is no credential', async () => {
    const routes: Array<['get' | 'post', string]> = [
      ['get', GRANTS], ['post', GRANTS], ['get', `${GRANTS}/${grant.acme}`], ['post', `${GRANTS}/${grant.acme}/revoke`],
      ['get', KEYS], ['post', KEYS], ['get', `${KEYS}/${key.acme}`], ['post', `${KEYS}/${key.acme}/revoke`], ['get', '/api/v1/admin/me'],
    ];
    for (const [method, path] of routes) {
      expectError(await core.http[method](path).send(), 401, 'AUTHENTICATION_REQUIRED');
      expectError(await core.http[method](path).set('X-Plystra-Admin-Token', 'plystra-admin-token').send(), 401, 'AUTHENTICATION_REQUIRED');
      expectError(await core.http[method](path).set('Authorization', 'Basic dXNlcjpwYXNz').send(), 401, 'AUTHENTICATION_REQUIRED');
    }
  });

  it('answers an insufficient credential with 403 ADMIN_PERMISSION_REQUIRED naming the permission', async () => {
    const nobody = await signedInAdmin(core);
    const cases: Array<['get' | 'post', string, string]> = [
      ['get', GRANTS, 'admin_grants:read'], ['post', GRANTS, 'admin_grants:manage'], ['get', `${GRANTS}/${grant.acme}`, 'admin_grants:read'],
      ['post', `${GRANTS}/${grant.acme}/revoke`, 'admin_grants:manage'], ['get', KEYS, 'api_keys:read'], ['post', KEYS, 'api_keys:create'],
      ['get', `${KEYS}/${key.acme}`, 'api_keys:read'], ['post', `${KEYS}/${key.acme}/revoke`, 'api_keys:revoke'],
    ];
    for (const [method, path, permission] of cases) {
      const error = expectError(await core.http[method](path).set(...nobody.auth).send({}), 403, 'ADMIN_PERMISSION_REQUIRED');
      expect({ path, permission: error.details.permission }).toEqual({ path, permission });
    }
    const state = await core.db.dataSource.query(`SELECT status FROM api_keys WHERE id = $1 UNION ALL SELECT status FROM admin_grants WHERE id = $2`, [key.acme, grant.acme]);
    expect(state).toEqual([{ status: 'active' }, { status: 'active' }]);
  });
});
