import { startCore, type CoreTestApp } from '../core-test-app';
import { type Admin, expectError, future, past, signedInAdmin } from './access-fixtures';

const GRANTS = '/api/v1/admin/grants';

describe('admin grants (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  let root: Admin;

  beforeAll(async () => {
    core = await startCore();
    root = await signedInAdmin(core, [{ level: 'instance_super_admin', permission_key: '*' }], 'user_root');
    const ds = core.db.dataSource;
    await ds.query(`INSERT INTO spaces (id, name) VALUES ('space_other', 'Other')`);
    await ds.query(`INSERT INTO groups (id, space_id, name, path) VALUES ('group_other_ops', 'space_other', 'Ops', 'ops')`);
    await ds.query(`INSERT INTO members (id, space_id, display_name) VALUES ('member_other', 'space_other', 'Other member')`);
  });
  afterAll(() => core.close());

  const post = (who: Admin, body: unknown) => core.http.post(GRANTS).set(...who.auth).send(body as object);

  it('creates, reads, lists and revokes a grant, with one audit row per change in the same request', async () => {
    const created = await post(root, { user_id: 'user_bob', level: 'space_admin', space_id: 'space_acme', permission_key: 'users:read', metadata: { ticket: 'OPS-1' } }).expect(201);
    const grant = created.body.data;
    expect(grant).toMatchObject({
      user_id: 'user_bob', member_id: null, space_id: 'space_acme', group_id: null, level: 'space_admin', permission_key: 'users:read',
      status: 'active', granted_by_user_id: 'user_root', granted_by_member_id: root.memberId, expires_at: null, revoked_at: null, metadata: { ticket: 'OPS-1' },
    });
    expect(grant.id).toMatch(/^ag_[0-9a-f]{16}$/);
    expect(grant.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    expect((await core.http.get(`${GRANTS}/${grant.id}`).set(...root.auth).expect(200)).body.data).toEqual(grant);
    const listed = await core.http.get(`${GRANTS}?user_id=user_bob`).set(...root.auth).expect(200);
    expect(listed.body.data.map((g: { id: string }) => g.id)).toEqual([grant.id]);

    const revoked = await core.http.post(`${GRANTS}/${grant.id}/revoke`).set(...root.auth).send({ revoked_reason: 'rotation' }).expect(200);
    expect(revoked.body.data).toMatchObject({ id: grant.id, status: 'revoked', revoked_reason: 'rotation', revoked_by_user_id: 'user_root' });
    expect(revoked.body.data.revoked_at).not.toBeNull();
    expectError(await core.http.post(`${GRANTS}/${grant.id}/revoke`).set(...root.auth).send({}), 409, 'ADMIN_GRANT_CONFLICT');

    const audit = await core.db.dataSource.query(
      `SELECT action, actor_user_id, resource_type, space_id, request_id, trace FROM audit_logs WHERE resource_id = $1 ORDER BY created_at`,
      [grant.id],
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['admin_grant.created', 'admin_grant.revoked']);
    expect(audit[0]).toMatchObject({ actor_user_id: 'user_root', resource_type: 'admin_grant', space_id: 'space_acme', request_id: created.body.request_id });
    expect(audit[1].request_id).toBe(revoked.body.request_id);
    expect(audit[1].trace.details).toMatchObject({ status: 'revoked', permission_key: 'users:read' });
  });

  it('takes a group grant\'s space from the group and validates every scope rule', async () => {
    const group = await post(root, { user_id: 'user_bob', level: 'group_admin', group_id: 'group_finance', permission_key: 'groups:read' }).expect(201);
    expect(group.body.data).toMatchObject({ space_id: 'space_acme', group_id: 'group_finance' });
    await post(root, { user_id: 'user_bob', level: 'group_admin', group_id: 'group_finance', space_id: 'space_acme', permission_key: 'groups:read' }).expect(201);

    const cases: Array<[object, number, string, string?]> = [
      [{ level: 'group_admin', group_id: 'group_finance', space_id: 'space_other' }, 400, 'VALIDATION_FAILED', 'space_id'],
      [{ level: 'group_admin' }, 400, 'VALIDATION_FAILED', 'group_id'],
      [{ level: 'group_admin', group_id: 'group_nope' }, 404, 'GROUP_NOT_FOUND'],
      [{ level: 'space_admin' }, 400, 'VALIDATION_FAILED', 'space_id'],
      [{ level: 'space_admin', space_id: 'space_acme', group_id: 'group_finance' }, 400, 'VALIDATION_FAILED', 'group_id'],
      [{ level: 'space_admin', space_id: 'space_nope' }, 404, 'SPACE_NOT_FOUND'],
      [{ level: 'instance_admin', space_id: 'space_acme' }, 400, 'VALIDATION_FAILED', 'space_id'],
      [{ level: 'instance_admin', group_id: 'group_finance' }, 400, 'VALIDATION_FAILED', 'group_id'],
      [{ level: 'instance_admin', user_id: 'user_nope' }, 404, 'USER_NOT_FOUND'],
      [{ level: 'instance_admin', member_id: 'member_nope' }, 404, 'MEMBER_NOT_FOUND'],
      [{ level: 'space_admin', space_id: 'space_acme', member_id: 'member_other' }, 400, 'VALIDATION_FAILED', 'member_id'],
      [{ level: 'instance_admin', expires_at: past().toISOString() }, 400, 'VALIDATION_FAILED', 'expires_at'],
      [{ level: 'instance_admin', expires_at: 'tomorrow' }, 400, 'VALIDATION_FAILED', 'expires_at'],
      [{ level: 'root' }, 400, 'VALIDATION_FAILED', 'level'],
      [{ level: 'instance_admin', status: 'revoked' }, 400, 'VALIDATION_FAILED', 'status'],
      [{ level: 'instance_admin', metadata: { api_token: 'x' } }, 400, 'VALIDATION_FAILED', 'metadata'],
      [{ level: 'instance_admin', granted_by_user_id: 'user_alice' }, 400, 'VALIDATION_FAILED', 'granted_by_user_id'],
      [{ level: 'instance_admin', id: 'has.dot' }, 400, 'VALIDATION_FAILED', 'id'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await post(root, { user_id: 'user_bob', permission_key: 'users:read', ...body });
      const error = expectError(res, status, code);
      if (field) expect({ body, fields: error.details.fields.map((f: { field: string }) => f.field) }).toEqual({ body, fields: expect.arrayContaining([field]) });
    }
  });

  it.each(['*:read', 'users', 'Users:read', 'users:Read', 'users:', ':read', 'users:read/write', 'users:**', 'users:read:extra', '', ' users:read'])(
    'refuses the permission key %p',
    async (permission_key) => {
      const error = expectError(await post(root, { user_id: 'user_bob', level: 'instance_admin', permission_key }), 400, 'VALIDATION_FAILED');
      expect(error.details.fields.map((f: { field: string }) => f.field)).toContain('permission_key');
    },
  );

  it('keeps caller ids, refuses a duplicate id with 409, and stores an expiry', async () => {
    const expires = future().toISOString();
    const res = await post(root, { id: 'ag_custom_1', user_id: 'user_bob', member_id: 'member_finance_reviewer', level: 'space_admin', space_id: 'space_acme', permission_key: 'audit:read', expires_at: expires }).expect(201);
    expect(res.body.data).toMatchObject({ id: 'ag_custom_1', member_id: 'member_finance_reviewer', expires_at: expires });
    expectError(await post(root, { id: 'ag_custom_1', user_id: 'user_bob', level: 'instance_admin', permission_key: 'audit:read' }), 409, 'ADMIN_GRANT_CONFLICT');
  });

  it('answers unknown ids with 404 ADMIN_GRANT_NOT_FOUND', async () => {
    expectError(await core.http.get(`${GRANTS}/ag_missing`).set(...root.auth), 404, 'ADMIN_GRANT_NOT_FOUND');
    expectError(await core.http.post(`${GRANTS}/ag_missing/revoke`).set(...root.auth).send({}), 404, 'ADMIN_GRANT_NOT_FOUND');
  });

  it('pages newest first with a real cursor and filters by every field', async () => {
    const user = await signedInAdmin(core);
    const ids: string[] = [];
    for (const key of ['a:read', 'b:read', 'c:read', 'd:read', 'e:read']) {
      ids.push((await post(root, { user_id: user.userId, level: 'space_admin', space_id: 'space_acme', permission_key: key }).expect(201)).body.data.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: Array<{ id: string }>; pagination: { cursor: string | null; has_more: boolean; limit: number } } } =
        await core.http.get(GRANTS).query({ user_id: user.userId, limit: 2, ...(cursor ? { cursor } : {}) }).set(...root.auth).expect(200);
      expect(res.body.pagination.limit).toBe(2);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((g) => g.id));
      cursor = res.body.pagination.cursor;
      expect(res.body.pagination.has_more).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    await post(root, { user_id: user.userId, level: 'group_admin', group_id: 'group_legal', permission_key: 'z:read' }).expect(201);
    await core.http.post(`${GRANTS}/${ids[0]}/revoke`).set(...root.auth).send({}).expect(200);
    const count = async (query: Record<string, string>) =>
      (await core.http.get(GRANTS).query({ user_id: user.userId, ...query }).set(...root.auth).expect(200)).body.data.length;
    expect(await count({ level: 'group_admin' })).toBe(1);
    expect(await count({ group_id: 'group_legal' })).toBe(1);
    expect(await count({ space_id: 'space_acme' })).toBe(6);
    expect(await count({ status: 'revoked' })).toBe(1);
    expect(await count({ status: 'active', level: 'space_admin' })).toBe(4);

    expectError(await core.http.get(GRANTS).query({ cursor: 'not-a-cursor' }).set(...root.auth), 400, 'VALIDATION_FAILED');
    expectError(await core.http.get(GRANTS).query({ limit: 0 }).set(...root.auth), 400, 'VALIDATION_FAILED');
    expectError(await core.http.get(GRANTS).query({ limit: 201 }).set(...root.auth), 400, 'VALIDATION_FAILED');
    expectError(await core.http.get(GRANTS).query({ level: 'root' }).set(...root.auth), 400, 'VALIDATION_FAILED');
    expectError(await core.http.get(GRANTS).query({ colour: 'blue' }).set(...root.auth), 400, 'VALIDATION_FAILED');
  });

  it('never answers malformed bodies or odd ids with a 5xx', async () => {
    const bodies: unknown[] = [
      [], 'text', 42, null, { user_id: 5, level: 'instance_admin', permission_key: 'a:b' }, { user_id: 'user_bob', level: {}, permission_key: 'a:b' },
      { user_id: 'user_bob', level: 'instance_admin', permission_key: ['a:b'] }, { user_id: 'user_bob', level: 'instance_admin', permission_key: 'a:b', metadata: [] },
      { user_id: 'user_bob', level: 'instance_admin', permission_key: 'a:b', metadata: 'x' }, { user_id: 'x'.repeat(10_000), level: 'instance_admin', permission_key: 'a:b' },
      { user_id: 'user\u0000bob', level: 'instance_admin', permission_key: 'a:b' }, { user_id: 'user_bob', level: 'space_admin', space_id: 'sp\u0000ace', permission_key: 'a:b' },
      { user_id: 'user_bob', level: 'instance_admin', permission_key: 'a:b', expires_at: '9999-99-99T00:00:00Z' },
    ];
    const answers: Array<{ what: unknown; status: number; code: unknown }> = [];
    const record = (what: unknown, res: { status: number; body: { error?: { code?: unknown } } }) => answers.push({ what, status: res.status, code: res.body?.error?.code });
    for (const body of bodies) {
      record(body, await core.http.post(GRANTS).set(...root.auth).set('Content-Type', 'application/json').send(JSON.stringify(body)));
    }
    record('truncated JSON', await core.http.post(GRANTS).set(...root.auth).set('Content-Type', 'application/json').send('{"user_id": '));
    for (const id of ['%00', '%zz', '%', 'x'.repeat(5000), '%E2%9C%93', "'; DROP TABLE admin_grants; --"]) {
      record(`GET ${id.slice(0, 20)}`, await core.http.get(`${GRANTS}/${id}`).set(...root.auth));
      record(`revoke ${id.slice(0, 20)}`, await core.http.post(`${GRANTS}/${id}/revoke`).set(...root.auth).send({ revoked_reason: 'x' }));
    }
    expect(answers.filter((a) => a.status < 400 || a.status >= 500 || typeof a.code !== 'string')).toEqual([]);
    expectError(await core.http.post(`${GRANTS}/ag_missing/revoke`).set(...root.auth).send({ revoked_reason: 7 }), 400, 'VALIDATION_FAILED');
  });

  describe('the last active super admin', () => {
    const activeSupers = async () =>
      (await core.db.dataSource.query(
        `SELECT g.id FROM admin_grants g JOIN users u ON u.id = g.user_id
          WHERE g.level = 'instance_super_admin' AND g.status = 'active' AND g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > now())
            AND u.status = 'active' ORDER BY g.id`,
      )).map((r: { id: string }) => r.id);

    it('cannot be revoked (409 LAST_SUPER_ADMIN), and nothing changes', async () => {
      expect(await activeSupers()).toEqual(root.grantIds);
      expectError(await core.http.post(`${GRANTS}/${root.grantIds[0]}/revoke`).set(...root.auth).send({}), 409, 'LAST_SUPER_ADMIN');
      expect(await activeSupers()).toEqual(root.grantIds);
    });

    it('an inactive super-admin grant does not count as another one', async () => {
      const disabledUser = await signedInAdmin(core);
      await core.db.dataSource.query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [disabledUser.userId]);
      await post(root, { user_id: disabledUser.userId, level: 'instance_super_admin', permission_key: '*' }).expect(201);
      const expiring = await post(root, { user_id: 'user_bob', level: 'instance_super_admin', permission_key: '*', expires_at: future().toISOString() }).expect(201);
      await core.db.dataSource.query(`UPDATE admin_grants SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.body.data.id]);
      expectError(await core.http.post(`${GRANTS}/${root.grantIds[0]}/revoke`).set(...root.auth).send({}), 409, 'LAST_SUPER_ADMIN');
    });

    it('survives two super admins revoking each other at the same instant: exactly one remains, every round', async () => {
      let survivor = root;
      let survivorGrant = root.grantIds[0];
      for (let round = 0; round < 6; round++) {
        const challenger = await signedInAdmin(core);
        const challengerGrant = (await post(survivor, { user_id: challenger.userId, level: 'instance_super_admin', permission_key: '*' }).expect(201)).body.data.id;
        expect((await activeSupers()).sort()).toEqual([survivorGrant, challengerGrant].sort());
        const [a, b] = await Promise.all([
          core.http.post(`${GRANTS}/${challengerGrant}/revoke`).set(...survivor.auth).send({}),
          core.http.post(`${GRANTS}/${survivorGrant}/revoke`).set(...challenger.auth).send({}),
        ]);
        const statuses = [a.status, b.status];
        expect(statuses.filter((s) => s === 200)).toHaveLength(1);
        const loser = a.status === 200 ? b : a;
        // The loser either found the other revocation committed (409) or, arriving later, was no longer a super admin (403).
        expect(['LAST_SUPER_ADMIN', 'ADMIN_PERMISSION_REQUIRED']).toContain(loser.body.error.code);
        const remaining = await activeSupers();
        expect(remaining).toHaveLength(1);
        if (a.status === 200) {
          expect(remaining).toEqual([survivorGrant]);
        } else {
          expect(remaining).toEqual([challengerGrant]);
          survivor = challenger;
          survivorGrant = challengerGrant;
        }
      }
    });
  });
});
