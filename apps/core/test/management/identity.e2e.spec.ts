import { codeOf, type ManagementTestApp, startManagement } from './management-harness';

describe('management API: users, spaces, groups, members, bindings, roles (HTTP, real PostgreSQL)', () => {
  let core: ManagementTestApp;
  beforeAll(async () => {
    core = await startManagement();
  });
  afterAll(() => core.close());

  const newSpace = async (body: Record<string, unknown> = {}) => {
    const res = await core.admin.post('/spaces', { name: 'Space under test', ...body });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  };

  describe('users', () => {
    it('creates a user with a hashed password and never returns the hash', async () => {
      const res = await core.admin.post('/users', { email: '  Carol@Example.COM ', password: 'a-long-enough-password', username: 'carol', metadata: { team: 'ops' } });
      expect(res.status).toBe(201);
      const user = res.body.data;
      expect(user.id).toMatch(/^user_[0-9a-f]{16}$/);
      expect(user).toMatchObject({ email: 'carol@example.com', username: 'carol', status: 'active', metadata: { team: 'ops' } });
      expect(user.password_changed_at).toEqual(expect.any(String));
      expect(JSON.stringify(res.body)).not.toContain('password_hash');
      const [{ password_hash }] = await core.db.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [user.id]);
      expect(password_hash).toMatch(/^argon2id\$v=19\$m=65536,t=3,p=2\$/);
      const fetched = await core.admin.get(`/users/${user.id}`).expect(200);
      expect(fetched.body.data).toEqual(user);
      const audit = await core.auditOf(user.id);
      expect(audit.map((a) => [a.action, a.resource_type, a.actor_user_id])).toEqual([['user.created', 'user', 'user_alice']]);
      expect(audit[0].request_id).toBe(res.body.request_id);
      expect(JSON.stringify(audit[0].trace)).not.toContain('argon2id');
    });

    it('takes a client id, and answers duplicates (any case) with 409 USER_CONFLICT', async () => {
      const created = await core.admin.post('/users', { id: 'user_dave', email: 'dave@example.com' }).expect(201);
      expect(created.body.data.id).toBe('user_dave');
      expect(codeOf(await core.admin.post('/users', { email: 'DAVE@example.com' }).expect(409))).toBe('USER_CONFLICT');
      expect(codeOf(await core.admin.post('/users', { id: 'user_dave', email: 'dave2@example.com' }).expect(409))).toBe('USER_CONFLICT');
      expect(codeOf(await core.admin.patch('/users/user_dave', { email: 'alice@example.com' }).expect(409))).toBe('USER_CONFLICT');
    });

    it('refuses a weak password, a password_hash and secret-looking metadata without creating anything', async () => {
      const weak = await core.admin.post('/users', { email: 'weak@example.com', password: 'short' }).expect(400);
      expect(weak.body.error.details.fields[0].field).toBe('password');
      const hash = await core.admin.post('/users', { email: 'hash@example.com', password_hash: 'argon2id$v=19$m=65536,t=3,p=2$AAAA$BBBB' }).expect(400);
      expect(hash.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('password_hash');
      const secret = await core.admin.post('/users', { email: 'secret@example.com', metadata: { nested: { api_token: 'x' } } }).expect(400);
      expect(secret.body.error.details.fields[0]).toMatchObject({ field: 'metadata', message: expect.stringContaining('api_token') });
      const rows = await core.db.dataSource.query(`SELECT id FROM users WHERE email IN ('weak@example.com', 'hash@example.com', 'secret@example.com')`);
      expect(rows).toEqual([]);
      const patch = await core.admin.patch('/users/user_bob', { password_hash: 'x' }).expect(400);
      expect(codeOf(patch)).toBe('VALIDATION_FAILED');
    });

    it('a new password is policy-checked, hashed, and revokes every session of the user', async () => {
      const bob = { email: 'bob@example.com', password: 'plystra-demo' };
      const first = (await core.http.post('/api/v1/auth/login').send(bob).expect(200)).body.data.access_token;
      const second = (await core.http.post('/api/v1/auth/login').send(bob).expect(200)).body.data.access_token;
      await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${first}`).expect(200);
      expect(codeOf(await core.admin.patch('/users/user_bob', { password: 'tiny' }).expect(400))).toBe('VALIDATION_FAILED');
      await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${first}`).expect(200);

      const res = await core.admin.patch('/users/user_bob', { password: 'bobs-brand-new-password' }).expect(200);
      expect(new Date(res.body.data.password_changed_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
      for (const token of [first, second]) await core.http.get('/api/v1/actor/context').set('Authorization', `Bearer ${token}`).expect(401);
      const sessions = await core.db.dataSource.query(`SELECT revoked_reason FROM sessions WHERE user_id = 'user_bob'`);
      expect(sessions).toEqual([{ revoked_reason: 'password_changed' }, { revoked_reason: 'password_changed' }]);
      await core.http.post('/api/v1/auth/login').send(bob).expect(401);
      await core.http.post('/api/v1/auth/login').send({ ...bob, password: 'bobs-brand-new-password' }).expect(200);
      const audit = await core.auditOf('user_bob');
      expect(audit.at(-1)).toMatchObject({ action: 'user.updated', actor_user_id: 'user_alice' });
      expect(audit.at(-1)!.trace.details.changed_fields).toEqual(['password_hash', 'password_changed_at']);
    });

    it('disables and restores, each audited; a disabled user cannot sign in', async () => {
      const user = (await core.admin.post('/users', { email: 'erin@example.com', password: 'erins-long-password' }).expect(201)).body.data;
      const disabled = await core.admin.post(`/users/${user.id}/disable`, { reason: 'left the company' }).expect(200);
      expect(disabled.body.data.status).toBe('disabled');
      expect((await core.admin.get(`/users?status=disabled&email=ERIN@example.com`).expect(200)).body.data.map((u: { id: string }) => u.id)).toEqual([user.id]);
      const restored = await core.admin.post(`/users/${user.id}/restore`).expect(200);
      expect(restored.body.data.status).toBe('active');
      const audit = await core.auditOf(user.id);
      expect(audit.map((a) => a.action)).toEqual(['user.created', 'user.disabled', 'user.restored']);
      expect(audit[1].trace.details.reason).toBe('left the company');
    });

    it('answers unknown users with 404 USER_NOT_FOUND and an empty patch with 400', async () => {
      expect(codeOf(await core.admin.get('/users/user_nobody').expect(404))).toBe('USER_NOT_FOUND');
      expect(codeOf(await core.admin.patch('/users/user_nobody', { username: 'x' }).expect(404))).toBe('USER_NOT_FOUND');
      expect(codeOf(await core.admin.post('/users/user_nobody/disable').expect(404))).toBe('USER_NOT_FOUND');
      expect(codeOf(await core.admin.patch('/users/user_bob', {}).expect(400))).toBe('VALIDATION_FAILED');
    });
  });

  describe('spaces', () => {
    it('creates, reads, patches; a duplicate slug is 409 SPACE_CONFLICT', async () => {
      const res = await core.admin.post('/spaces', { name: 'Globex', slug: 'globex', metadata: { tier: 'gold' } }).expect(201);
      const space = res.body.data;
      expect(space).toMatchObject({ name: 'Globex', slug: 'globex', type: 'custom', status: 'active', metadata: { tier: 'gold' } });
      expect(space.id).toMatch(/^space_[0-9a-f]{16}$/);
      expect(codeOf(await core.admin.post('/spaces', { name: 'Other', slug: 'globex' }).expect(409))).toBe('SPACE_CONFLICT');
      expect(codeOf(await core.admin.post('/spaces', { name: 'Bad', slug: 'Not A Slug' }).expect(400))).toBe('VALIDATION_FAILED');
      expect(codeOf(await core.admin.post('/spaces', { name: '   ' }).expect(400))).toBe('VALIDATION_FAILED');
      const patched = await core.admin.patch(`/spaces/${space.id}`, { name: 'Globex Corp', slug: null }).expect(200);
      expect(patched.body.data).toMatchObject({ name: 'Globex Corp', slug: null });
      expect(codeOf(await core.admin.get('/spaces/space_nowhere').expect(404))).toBe('SPACE_NOT_FOUND');
      expect(codeOf(await core.admin.get('/spaces/space_nowhere/groups').expect(404))).toBe('SPACE_NOT_FOUND');
      const audit = await core.auditOf(space.id);
      expect(audit.map((a) => [a.action, a.space_id])).toEqual([['space.created', space.id], ['space.updated', space.id]]);
    });

    it('refuses writes into a disabled space with 409 SPACE_DISABLED until it is restored', async () => {
      const spaceId = await newSpace();
      const member = (await core.admin.post(`/spaces/${spaceId}/members`, { display_name: 'Before' }).expect(201)).body.data;
      await core.admin.post(`/spaces/${spaceId}/disable`).expect(200);
      const refused = [
        await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'ops' }),
        await core.admin.post(`/spaces/${spaceId}/members`, { display_name: 'After' }),
        await core.admin.patch(`/spaces/${spaceId}/members/${member.id}`, { display_name: 'Renamed' }),
        await core.admin.post(`/spaces/${spaceId}/roles`, { key: 'viewer' }),
        await core.admin.post(`/spaces/${spaceId}/resources`, { resource_type: 'invoice' }),
      ];
      for (const res of refused) {
        expect(res.status).toBe(409);
        expect(codeOf(res)).toBe('SPACE_DISABLED');
      }
      await core.admin.get(`/spaces/${spaceId}/members/${member.id}`).expect(200);
      await core.admin.patch(`/spaces/${spaceId}`, { name: 'Still editable' }).expect(200);
      await core.admin.post(`/spaces/${spaceId}/restore`).expect(200);
      await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'ops' }).expect(201);
      expect((await core.auditOf(spaceId)).map((a) => a.action)).toEqual(['space.created', 'space.disabled', 'space.updated', 'space.restored']);
    });
  });

  describe('groups', () => {
    it('builds a tree: depth derived, tree ordered by path, detail by id', async () => {
      const spaceId = await newSpace();
      const finance = (await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'finance' }).expect(201)).body.data;
      expect(finance).toMatchObject({ path: 'finance', depth: 0, name: 'Finance', parent_group_id: null, sort_order: 1000, space_id: spaceId });
      const apac = (await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'finance.apac', parent_group_id: finance.id, display_name: 'APAC' }).expect(201)).body.data;
      expect(apac).toMatchObject({ depth: 1, name: 'APAC', display_name: 'APAC', parent_group_id: finance.id });
      const sg = (await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'finance.apac.sg', parent_id: apac.id }).expect(201)).body.data;
      expect(sg).toMatchObject({ depth: 2, parent_group_id: apac.id });
      await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'audit' }).expect(201);
      const tree = await core.admin.get(`/spaces/${spaceId}/groups/tree`).expect(200);
      expect(tree.body.data.map((g: { path: string }) => g.path)).toEqual(['audit', 'finance', 'finance.apac', 'finance.apac.sg']);
      expect(tree.body.pagination).toEqual({ limit: 200, cursor: null, has_more: false });
      const paged = await core.admin.get(`/spaces/${spaceId}/groups/tree?limit=3`).expect(200);
      const rest = await core.admin.get(`/spaces/${spaceId}/groups/tree?limit=3&cursor=${paged.body.pagination.cursor}`).expect(200);
      expect([...paged.body.data, ...rest.body.data].map((g: { path: string }) => g.path)).toEqual(['audit', 'finance', 'finance.apac', 'finance.apac.sg']);
      expect((await core.admin.get(`/groups/${apac.id}`).expect(200)).body.data).toEqual(apac);
      expect((await core.admin.get(`/spaces/${spaceId}/groups?parent_group_id=${finance.id}`).expect(200)).body.data.map((g: { id: string }) => g.id)).toEqual([apac.id]);
      expect(codeOf(await core.admin.get(`/spaces/space_acme/groups/${apac.id}`).expect(404))).toBe('GROUP_NOT_FOUND');
      expect(codeOf(await core.admin.get('/groups/group_nowhere').expect(404))).toBe('GROUP_NOT_FOUND');
    });

    it('enforces the path rules: prefix of the parent plus a dot, same-space parent, format, uniqueness', async () => {
      const spaceId = await newSpace();
      const finance = (await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'finance' }).expect(201)).body.data;
      const prefix = await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'financex.apac', parent_group_id: finance.id }).expect(400);
      expect(prefix.body.error.details.fields[0].field).toBe('path');
      await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'finance', parent_group_id: finance.id }).expect(400);
      await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'legal.emea', parent_group_id: finance.id }).expect(400);
      const crossSpace = await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'finance.emea', parent_group_id: 'group_finance' }).expect(404);
      expect(codeOf(crossSpace)).toBe('GROUP_NOT_FOUND');
      expect(crossSpace.body.error.details.fields[0].field).toBe('parent_group_id');
      expect(codeOf(await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'finance.x', parent_group_id: 'group_nowhere' }).expect(404))).toBe('GROUP_NOT_FOUND');
      for (const path of ['Finance', 'finance.', '.finance', 'fin-ance', '9lives', 'finance..apac', '']) {
        expect(codeOf(await core.admin.post(`/spaces/${spaceId}/groups`, { path }).expect(400))).toBe('VALIDATION_FAILED');
      }
      expect(codeOf(await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'finance' }).expect(409))).toBe('GROUP_CONFLICT');
      await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'ops', parent_group_id: finance.id, parent_id: 'group_other' }).expect(400);
      const count = await core.db.dataSource.query(`SELECT count(*)::int AS n FROM groups WHERE space_id = $1`, [spaceId]);
      expect(count).toEqual([{ n: 1 }]);
    });

    it('keeps the path and parent immutable; name, sort order and status can change', async () => {
      const spaceId = await newSpace();
      const group = (await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'legal' }).expect(201)).body.data;
      for (const body of [{ path: 'legal2' }, { parent_group_id: null }, { path: 'legal', name: 'x' }]) {
        const res = await core.admin.patch(`/spaces/${spaceId}/groups/${group.id}`, body).expect(400);
        expect(res.body.error.message).toMatch(/immutable/);
      }
      const patched = await core.admin.patch(`/spaces/${spaceId}/groups/${group.id}`, { name: 'Legal Team', sort_order: 5 }).expect(200);
      expect(patched.body.data).toMatchObject({ path: 'legal', name: 'Legal Team', sort_order: 5 });
      const disabled = await core.admin.post(`/spaces/${spaceId}/groups/${group.id}/disable`).expect(200);
      expect(disabled.body.data.status).toBe('disabled');
      expect((await core.auditOf(group.id)).map((a) => [a.action, a.space_id])).toEqual([
        ['group.created', spaceId], ['group.updated', spaceId], ['group.disabled', spaceId],
      ]);
    });
  });

  describe('members and user-members', () => {
    it('creates, patches and disables members; a member is found only in its own space', async () => {
      const spaceId = await newSpace();
      const member = (await core.admin.post(`/spaces/${spaceId}/members`, { display_name: 'Auditor' }).expect(201)).body.data;
      expect(member).toMatchObject({ display_name: 'Auditor', member_type: 'human', status: 'active', space_id: spaceId });
      expect(member.id).toMatch(/^member_[0-9a-f]{16}$/);
      await core.admin.patch(`/spaces/${spaceId}/members/${member.id}`, { display_name: 'Lead Auditor', member_type: 'service' }).expect(200);
      await core.admin.post(`/spaces/${spaceId}/members/${member.id}/disable`).expect(200);
      const fetched = (await core.admin.get(`/members/${member.id}`).expect(200)).body.data;
      expect(fetched).toMatchObject({ display_name: 'Lead Auditor', member_type: 'service', status: 'disabled' });
      expect(codeOf(await core.admin.get(`/spaces/space_acme/members/${member.id}`).expect(404))).toBe('MEMBER_NOT_FOUND');
      expect(codeOf(await core.admin.patch(`/spaces/space_acme/members/${member.id}`, { display_name: 'x' }).expect(404))).toBe('MEMBER_NOT_FOUND');
      expect((await core.auditOf(member.id)).map((a) => a.action)).toEqual(['member.created', 'member.updated', 'member.disabled']);
    });

    it('audits a change to a row whose old metadata holds a secret-looking key, leaving that key out', async () => {
      await core.db.dataSource.query(`INSERT INTO members (id, space_id, display_name, metadata) VALUES ('member_legacy', 'space_acme', 'Legacy', '{"note":"kept","api_token":"leak"}')`);
      await core.admin.post('/spaces/space_acme/members/member_legacy/disable').expect(200);
      const [audit] = await core.auditOf('member_legacy');
      expect(audit.trace.details.metadata).toEqual({ note: 'kept' });
      expect(JSON.stringify(audit.trace)).not.toContain('leak');
    });

    it('binds a user to a member of the same space only, and revokes with time and reason', async () => {
      const spaceId = await newSpace();
      const member = (await core.admin.post(`/spaces/${spaceId}/members`, { display_name: 'Night Shift' }).expect(201)).body.data;
      const user = (await core.admin.post('/users', { email: 'frank@example.com', password: 'franks-long-password' }).expect(201)).body.data;
      const crossMember = await core.admin.post(`/spaces/${spaceId}/user-members`, { user_id: user.id, member_id: 'member_finance_reviewer', relation_type: 'delegate' }).expect(404);
      expect(codeOf(crossMember)).toBe('MEMBER_NOT_FOUND');
      expect(crossMember.body.error.details.fields[0].field).toBe('member_id');
      const crossLinker = await core.admin
        .post(`/spaces/${spaceId}/user-members`, { user_id: user.id, member_id: member.id, relation_type: 'delegate', linked_by_member_id: 'member_invoice_creator' })
        .expect(404);
      expect(crossLinker.body.error.details.fields[0].field).toBe('linked_by_member_id');
      expect(codeOf(await core.admin.post(`/spaces/${spaceId}/user-members`, { user_id: 'user_nobody', member_id: member.id, relation_type: 'self' }).expect(404))).toBe('USER_NOT_FOUND');

      const binding = (
        await core.admin.post(`/spaces/${spaceId}/user-members`, { user_id: user.id, member_id: member.id, relation_type: 'delegate', is_primary: true }).expect(201)
      ).body.data;
      expect(binding).toMatchObject({ email: 'frank@example.com', member_display_name: 'Night Shift', space_id: spaceId, status: 'active', is_primary: true, revoked_at: null });
      expect(binding.id).toMatch(/^um_[0-9a-f]{16}$/);
      expect(binding.linked_at).toEqual(expect.any(String));
      await core.http.post('/api/v1/auth/login').send({ email: 'frank@example.com', password: 'franks-long-password' }).expect(200);

      const patched = await core.admin.patch(`/spaces/${spaceId}/user-members/${binding.id}`, { expires_at: '2999-01-01T00:00:00Z', relation_type: 'login' }).expect(200);
      expect(patched.body.data).toMatchObject({ relation_type: 'login', expires_at: '2999-01-01T00:00:00.000Z' });
      const revoked = await core.admin.post(`/spaces/${spaceId}/user-members/${binding.id}/revoke`, { revoked_reason: 'contract ended' }).expect(200);
      expect(revoked.body.data).toMatchObject({ status: 'revoked', revoked_reason: 'contract ended', revoked_at: expect.any(String) });
      const login = await core.http.post('/api/v1/auth/login').send({ email: 'frank@example.com', password: 'franks-long-password' }).expect(403);
      expect(codeOf(login)).toBe('ACTIVE_MEMBER_REQUIRED');
      expect((await core.admin.get(`/user-members/${binding.id}`).expect(200)).body.data.status).toBe('revoked');
      const audit = await core.auditOf(binding.id);
      expect(audit.map((a) => [a.action, a.space_id, a.actor_user_id])).toEqual([
        ['user_member.created', spaceId, 'user_alice'], ['user_member.updated', spaceId, 'user_alice'], ['user_member.revoked', spaceId, 'user_alice'],
      ]);
      const restored = await core.admin.patch(`/spaces/${spaceId}/user-members/${binding.id}`, { status: 'active' }).expect(200);
      expect(restored.body.data).toMatchObject({ status: 'active', revoked_at: null, revoked_reason: null });
    });

    it('filters bindings by user, member, status and relation type', async () => {
      const list = async (query: string) => (await core.admin.get(`/spaces/space_acme/user-members?${query}`).expect(200)).body.data.map((b: { id: string }) => b.id).sort();
      expect(await list('user_id=user_bob')).toEqual(['um_bob_finance_reviewer']);
      expect(await list('status=revoked')).toEqual(['um_alice_finance_reviewer_revoked']);
      expect(await list('relation_type=login')).toEqual(['um_bob_finance_reviewer']);
      expect(await list('user_id=user_alice&member_id=member_finance_reviewer&status=active')).toEqual(['um_alice_finance_reviewer', 'um_alice_finance_reviewer_expired']);
      expect(await list('member_id=member_invoice_creator')).toEqual([]);
      expect(codeOf(await core.admin.get('/spaces/space_acme/user-members?status=gone').expect(400))).toBe('VALIDATION_FAILED');
    });
  });

  describe('roles', () => {
    it('creates with a default name, keeps the key immutable and unique per space', async () => {
      const spaceId = await newSpace();
      const role = (await core.admin.post(`/spaces/${spaceId}/roles`, { key: 'invoice_reviewer', description: 'Reviews invoices' }).expect(201)).body.data;
      expect(role).toMatchObject({ key: 'invoice_reviewer', name: 'Invoice Reviewer', status: 'active', space_id: spaceId });
      expect(role.id).toMatch(/^role_[0-9a-f]{16}$/);
      expect(codeOf(await core.admin.post(`/spaces/${spaceId}/roles`, { key: 'invoice_reviewer' }).expect(409))).toBe('ROLE_CONFLICT');
      await core.admin.post('/spaces/space_acme/roles', { key: 'invoice_reviewer' }).expect(201);
      const immutable = await core.admin.patch(`/spaces/${spaceId}/roles/${role.id}`, { key: 'other' }).expect(400);
      expect(immutable.body.error.details.fields[0].field).toBe('key');
      await core.admin.patch(`/spaces/${spaceId}/roles/${role.id}`, { name: 'Reviewer', description: null }).expect(200);
      await core.admin.post(`/spaces/${spaceId}/roles/${role.id}/disable`).expect(200);
      expect((await core.admin.get(`/roles/${role.id}`).expect(200)).body.data).toMatchObject({ name: 'Reviewer', description: null, status: 'disabled' });
      expect(codeOf(await core.admin.get(`/spaces/space_acme/roles/${role.id}`).expect(404))).toBe('ROLE_NOT_FOUND');
      expect((await core.auditOf(role.id)).map((a) => a.action)).toEqual(['role.created', 'role.updated', 'role.disabled']);
    });
  });
});
