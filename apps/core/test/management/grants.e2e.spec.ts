import { codeOf, type ManagementTestApp, startManagement } from './management-harness';

describe('management API: role grants, permissions, role-permissions (HTTP, real PostgreSQL)', () => {
  let core: ManagementTestApp;
  let spaceId: string;
  let memberId: string;
  let roleId: string;
  let financeId: string;
  beforeAll(async () => {
    core = await startManagement();
    spaceId = (await core.admin.post('/spaces', { name: 'Initech' }).expect(201)).body.data.id;
    memberId = (await core.admin.post(`/spaces/${spaceId}/members`, { display_name: 'Peter' }).expect(201)).body.data.id;
    roleId = (await core.admin.post(`/spaces/${spaceId}/roles`, { key: 'tps_reviewer', name: 'TPS Reviewer' }).expect(201)).body.data.id;
    financeId = (await core.admin.post(`/spaces/${spaceId}/groups`, { path: 'finance' }).expect(201)).body.data.id;
  });
  afterAll(() => core.close());

  describe('member-roles', () => {
    it('grants a role at an anchor, answered with names and path, under both route spellings', async () => {
      const res = await core.admin.post(`/spaces/${spaceId}/member-roles`, { member_id: memberId, role_id: roleId, scope_anchor_group_id: financeId }).expect(201);
      const grant = res.body.data;
      expect(grant.id).toMatch(/^mr_[0-9a-f]{16}$/);
      expect(grant).toMatchObject({
        member_id: memberId, member_display_name: 'Peter', role_id: roleId, role_key: 'tps_reviewer', role_name: 'TPS Reviewer',
        scope_anchor_group_id: financeId, scope_anchor_path: 'finance', space_id: spaceId, status: 'active',
      });
      expect((await core.admin.get(`/spaces/${spaceId}/member-role-grants/${grant.id}`).expect(200)).body.data).toEqual(grant);
      const alias = await core.admin.post(`/spaces/${spaceId}/member-role-grants`, { member_id: memberId, role_id: roleId }).expect(201);
      expect(alias.body.data.scope_anchor_path).toBeNull();
      const listed = await core.admin.get(`/spaces/${spaceId}/member-roles?member_id=${memberId}`).expect(200);
      expect(listed.body.data.map((g: { id: string }) => g.id).sort()).toEqual([grant.id, alias.body.data.id].sort());
      expect(codeOf(await core.admin.get(`/spaces/space_acme/member-roles/${grant.id}`).expect(404))).toBe('MEMBER_ROLE_NOT_FOUND');
    });

    it('refuses a member, role or anchor from another space with its own 404, and nothing is written', async () => {
      const cases: Array<[Record<string, unknown>, string, string]> = [
        [{ member_id: 'member_finance_reviewer', role_id: roleId }, 'MEMBER_NOT_FOUND', 'member_id'],
        [{ member_id: memberId, role_id: 'role_finance_approver' }, 'ROLE_NOT_FOUND', 'role_id'],
        [{ member_id: memberId, role_id: roleId, scope_anchor_group_id: 'group_finance_apac' }, 'GROUP_NOT_FOUND', 'scope_anchor_group_id'],
        [{ member_id: 'member_nobody', role_id: roleId }, 'MEMBER_NOT_FOUND', 'member_id'],
      ];
      for (const [body, code, field] of cases) {
        const res = await core.admin.post(`/spaces/${spaceId}/member-roles`, body).expect(404);
        expect(codeOf(res)).toBe(code);
        expect(res.body.error.details.fields[0].field).toBe(field);
      }
      const [{ n }] = await core.db.dataSource.query(`SELECT count(*)::int AS n FROM member_roles WHERE space_id = $1`, [spaceId]);
      expect(n).toBe(2);
    });

    it('allows one grant per (member, role, anchor), the anchorless one included: 409 MEMBER_ROLE_CONFLICT', async () => {
      const other = (await core.admin.post(`/spaces/${spaceId}/roles`, { key: 'dup_check' }).expect(201)).body.data.id;
      await core.admin.post(`/spaces/${spaceId}/member-roles`, { member_id: memberId, role_id: other }).expect(201);
      expect(codeOf(await core.admin.post(`/spaces/${spaceId}/member-roles`, { member_id: memberId, role_id: other }).expect(409))).toBe('MEMBER_ROLE_CONFLICT');
      await core.admin.post(`/spaces/${spaceId}/member-roles`, { member_id: memberId, role_id: other, scope_anchor_group_id: financeId }).expect(201);
      expect(codeOf(await core.admin.post(`/spaces/${spaceId}/member-roles`, { member_id: memberId, role_id: other, scope_anchor_group_id: financeId }).expect(409))).toBe('MEMBER_ROLE_CONFLICT');
    });

    it('revokes a grant (kept, status revoked) and filters by role and status', async () => {
      const role = (await core.admin.post(`/spaces/${spaceId}/roles`, { key: 'revocable' }).expect(201)).body.data.id;
      const grant = (await core.admin.post(`/spaces/${spaceId}/member-roles`, { member_id: memberId, role_id: role }).expect(201)).body.data;
      const revoked = await core.admin.post(`/spaces/${spaceId}/member-role-grants/${grant.id}/revoke`, { revoked_reason: 'rotation' }).expect(200);
      expect(revoked.body.data.status).toBe('revoked');
      const byRole = await core.admin.get(`/spaces/${spaceId}/member-roles?role_id=${role}&status=revoked`).expect(200);
      expect(byRole.body.data.map((g: { id: string }) => g.id)).toEqual([grant.id]);
      expect((await core.admin.get(`/spaces/${spaceId}/member-roles?role_id=${role}&status=active`).expect(200)).body.data).toEqual([]);
      const audit = await core.auditOf(grant.id);
      expect(audit.map((a) => [a.action, a.resource_type, a.space_id])).toEqual([['member_role.created', 'member_role', spaceId], ['member_role.revoked', 'member_role', spaceId]]);
      expect(audit[1].trace.details.reason).toBe('rotation');
      expect(codeOf(await core.admin.post(`/spaces/${spaceId}/member-roles/mr_nobody/revoke`).expect(404))).toBe('MEMBER_ROLE_NOT_FOUND');
    });
  });

  describe('permissions', () => {
    it('creates, patches and disables; (resource, action, scope) is unique', async () => {
      const perm = (await core.admin.post('/permissions', { resource: 'report', action: 'export', scope: 'space', description: 'Export reports' }).expect(201)).body.data;
      expect(perm).toMatchObject({ resource: 'report', action: 'export', scope: 'space', status: 'active' });
      expect(perm.id).toMatch(/^perm_[0-9a-f]{16}$/);
      expect(codeOf(await core.admin.post('/permissions', { resource: 'report', action: 'export', scope: 'space' }).expect(409))).toBe('PERMISSION_CONFLICT');
      await core.admin.post('/permissions', { resource: 'report', action: 'export', scope: 'group' }).expect(201);
      expect(codeOf(await core.admin.post('/permissions', { resource: 'report', action: 'export', scope: 'tenant' }).expect(400))).toBe('VALIDATION_FAILED');
      expect(codeOf(await core.admin.patch(`/permissions/${perm.id}`, { scope: 'self' }).expect(400))).toBe('VALIDATION_FAILED');
      await core.admin.patch(`/permissions/${perm.id}`, { description: 'Export any report' }).expect(200);
      const disabled = await core.admin.post(`/permissions/${perm.id}/disable`).expect(200);
      expect(disabled.body.data).toMatchObject({ status: 'disabled', description: 'Export any report' });
      expect((await core.admin.get(`/permissions?resource=report&scope=group`).expect(200)).body.data.map((p: { scope: string }) => p.scope)).toEqual(['group']);
      expect(codeOf(await core.admin.get('/permissions/perm_nobody').expect(404))).toBe('PERMISSION_NOT_FOUND');
      expect((await core.auditOf(perm.id)).map((a) => a.action)).toEqual(['permission.created', 'permission.updated', 'permission.disabled']);
    });

    it('stores a global permission disabled, on create and on patch', async () => {
      const global = await core.admin.post('/permissions', { resource: 'report', action: 'purge', scope: 'global', status: 'active' }).expect(201);
      expect(global.body.data.status).toBe('disabled');
      const patched = await core.admin.patch(`/permissions/${global.body.data.id}`, { status: 'active' }).expect(200);
      expect(patched.body.data.status).toBe('disabled');
    });
  });

  describe('role-permissions', () => {
    it('adds a pair with its role and permission facts; duplicates are 409; revoke soft-deletes; re-adding revives', async () => {
      const perm = (await core.admin.post('/permissions', { resource: 'invoice', action: 'read', scope: 'group_tree' }).expect(201)).body.data;
      const created = await core.admin.post('/role-permissions', { role_id: roleId, permission_id: perm.id }).expect(201);
      const pair = created.body.data;
      expect(pair).toMatchObject({ role_id: roleId, permission_id: perm.id, space_id: spaceId, role_key: 'tps_reviewer', resource: 'invoice', action: 'read', scope: 'group_tree' });
      expect(pair.id).toMatch(/^rp_[0-9a-f]{16}$/);
      expect(codeOf(await core.admin.post('/role-permissions', { role_id: roleId, permission_id: perm.id }).expect(409))).toBe('ROLE_PERMISSION_CONFLICT');

      const revoked = await core.admin.del(`/role-permissions/${pair.id}`).expect(200);
      expect(revoked.body.data.deleted_at).toEqual(expect.any(String));
      expect(codeOf(await core.admin.get(`/role-permissions/${pair.id}`).expect(404))).toBe('ROLE_PERMISSION_NOT_FOUND');
      expect(codeOf(await core.admin.del(`/role-permissions/${pair.id}`).expect(404))).toBe('ROLE_PERMISSION_NOT_FOUND');
      expect((await core.admin.get(`/role-permissions?role_id=${roleId}`).expect(200)).body.data).toEqual([]);

      const revived = await core.admin.post('/role-permissions', { id: 'rp_ignored_on_revival', role_id: roleId, permission_id: perm.id }).expect(201);
      expect(revived.body.data.id).toBe(pair.id);
      expect((await core.admin.get(`/role-permissions?space_id=${spaceId}`).expect(200)).body.data.map((p: { id: string }) => p.id)).toEqual([pair.id]);
      const rows = await core.db.dataSource.query(`SELECT id, deleted_at FROM role_permissions WHERE role_id = $1`, [roleId]);
      expect(rows).toEqual([{ id: pair.id, deleted_at: null }]);
      const audit = await core.auditOf(pair.id);
      expect(audit.map((a) => [a.action, a.space_id])).toEqual([
        ['role_permission.created', spaceId], ['role_permission.revoked', spaceId], ['role_permission.restored', spaceId],
      ]);
    });

    it('answers unknown roles and permissions with their 404, and a disabled space with 409', async () => {
      const perm = (await core.admin.post('/permissions', { resource: 'invoice', action: 'archive', scope: 'space' }).expect(201)).body.data;
      expect(codeOf(await core.admin.post('/role-permissions', { role_id: 'role_nobody', permission_id: perm.id }).expect(404))).toBe('ROLE_NOT_FOUND');
      expect(codeOf(await core.admin.post('/role-permissions', { role_id: roleId, permission_id: 'perm_nobody' }).expect(404))).toBe('PERMISSION_NOT_FOUND');
      const closed = (await core.admin.post('/spaces', { name: 'Closed' }).expect(201)).body.data.id;
      const closedRole = (await core.admin.post(`/spaces/${closed}/roles`, { key: 'closed_role' }).expect(201)).body.data.id;
      await core.admin.post(`/spaces/${closed}/disable`).expect(200);
      expect(codeOf(await core.admin.post('/role-permissions', { role_id: closedRole, permission_id: perm.id }).expect(409))).toBe('SPACE_DISABLED');
    });

    it('lets exactly one of many concurrent identical adds through', async () => {
      const perm = (await core.admin.post('/permissions', { resource: 'invoice', action: 'void', scope: 'space' }).expect(201)).body.data;
      const add = () => core.admin.post('/role-permissions', { role_id: roleId, permission_id: perm.id });
      const first = await Promise.all(Array.from({ length: 8 }, add));
      expect(first.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      const id = first.find((r) => r.status === 201)!.body.data.id;
      await core.admin.del(`/role-permissions/${id}`).expect(200);
      const again = await Promise.all(Array.from({ length: 8 }, add));
      expect(again.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      const audit = await core.auditOf(id);
      expect(audit.map((a) => a.action)).toEqual(['role_permission.created', 'role_permission.revoked', 'role_permission.restored']);
    });
  });
});
