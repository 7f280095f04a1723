import type { Response } from 'supertest';
import { type Caller, codeOf, type ManagementTestApp, startManagement } from './management-harness';

const denied = (res: Response) => {
  expect({ status: res.status, code: codeOf(res) }).toEqual({ status: 403, code: 'ADMIN_PERMISSION_REQUIRED' });
};

describe('management API: scoped credentials (HTTP, real PostgreSQL)', () => {
  let core: ManagementTestApp;
  let otherSpace: string;
  let otherGroup: string;
  beforeAll(async () => {
    core = await startManagement();
    otherSpace = (await core.admin.post('/spaces', { name: 'Elsewhere' }).expect(201)).body.data.id;
    otherGroup = (await core.admin.post(`/spaces/${otherSpace}/groups`, { path: 'finance' }).expect(201)).body.data.id;
  });
  afterAll(() => core.close());

  it('refuses every route of space_acme to a space admin of another space', async () => {
    const outsider = await core.grantee({ level: 'space_admin', spaceId: otherSpace, permissionKey: '*' });
    const attempts = [
      outsider.get('/spaces/space_acme'),
      outsider.patch('/spaces/space_acme', { name: 'Hijacked' }),
      outsider.post('/spaces/space_acme/disable'),
      outsider.get('/spaces/space_acme/groups'),
      outsider.get('/spaces/space_acme/groups/tree'),
      outsider.get('/spaces/space_acme/groups/group_finance'),
      outsider.post('/spaces/space_acme/groups', { path: 'intruder' }),
      outsider.get('/groups/group_finance'),
      outsider.get('/spaces/space_acme/members'),
      outsider.post('/spaces/space_acme/members', { display_name: 'Intruder' }),
      outsider.get('/members/member_finance_reviewer'),
      outsider.get('/spaces/space_acme/user-members'),
      outsider.get('/user-members/um_alice_finance_reviewer'),
      outsider.post('/spaces/space_acme/user-members/um_bob_finance_reviewer/revoke'),
      outsider.get('/spaces/space_acme/roles'),
      outsider.get('/roles/role_finance_approver'),
      outsider.get('/spaces/space_acme/member-roles'),
      outsider.post('/spaces/space_acme/member-role-grants/mr_finance_reviewer_approver/revoke'),
      outsider.get('/spaces/space_acme/resources'),
      outsider.get('/resources?space_id=space_acme'),
      outsider.get('/resources'),
      outsider.get('/resources/invoice/invoice_001'),
      outsider.post('/resources', { resource_type: 'invoice', space_id: 'space_acme' }),
      outsider.patch('/spaces/space_acme/resources/invoice_001', { display_name: 'x' }),
      outsider.post('/spaces/space_acme/resources/invoice_001/archive'),
      // An id of the outsider's own space named under space_acme's route does not carry its scope in.
      outsider.get(`/spaces/space_acme/groups/${otherGroup}`),
      // Instance-wide routes.
      outsider.get('/users'),
      outsider.post('/users', { email: 'x@example.com' }),
      outsider.get('/spaces'),
      outsider.get('/permissions'),
      outsider.post('/role-permissions', { role_id: 'role_finance_approver', permission_id: 'perm_invoice_approve_group_tree' }),
      outsider.get('/resource-types'),
      outsider.post('/resource-types', { key: 'x', display_name: 'X' }),
    ];
    for (const res of await Promise.all(attempts)) denied(res);
    const [row] = await core.db.dataSource.query(`SELECT name, status FROM spaces WHERE id = 'space_acme'`);
    expect(row).toEqual({ name: 'Acme', status: 'active' });
    const [binding] = await core.db.dataSource.query(`SELECT status FROM user_members WHERE id = 'um_bob_finance_reviewer'`);
    expect(binding.status).toBe('active');
    // Its own space works.
    await outsider.get(`/spaces/${otherSpace}/groups/${otherGroup}`).expect(200);
    await outsider.post(`/spaces/${otherSpace}/members`, { display_name: 'Local' }).expect(201);
  });

  it('lets a space admin of space_acme manage that space, but nothing instance-wide', async () => {
    const local = await core.grantee({ level: 'space_admin', spaceId: 'space_acme', permissionKey: '*' });
    await local.get('/spaces/space_acme').expect(200);
    await local.get('/spaces/space_acme/groups').expect(200);
    await local.get('/groups/group_finance').expect(200);
    const member = (await local.post('/spaces/space_acme/members', { display_name: 'Local Hire' }).expect(201)).body.data;
    await local.post('/spaces/space_acme/member-roles', { member_id: member.id, role_id: 'role_finance_approver', scope_anchor_group_id: 'group_legal' }).expect(201);
    await local.post('/spaces/space_acme/resources', { resource_type: 'invoice', group_id: 'group_legal' }).expect(201);
    await local.get('/resources?space_id=space_acme').expect(200);
    for (const res of await Promise.all([local.get('/users'), local.get('/spaces'), local.get('/permissions'), local.get('/resource-types'), local.get(`/spaces/${otherSpace}`)])) denied(res);
    const audit = await core.auditOf(member.id);
    expect(audit.map((a) => [a.action, a.actor_user_id])).toEqual([['member.created', local.userId]]);
  });

  it('holds a space admin to the permission keys of the grant', async () => {
    const reader = await core.grantee({ level: 'space_admin', spaceId: 'space_acme', permissionKey: 'groups:read' });
    await reader.get('/spaces/space_acme/groups').expect(200);
    denied(await reader.post('/spaces/space_acme/groups', { path: 'nope' }));
    denied(await reader.get('/spaces/space_acme/members'));
    denied(await reader.get('/spaces/space_acme'));
  });

  it('lets a group admin act only inside its subtree', async () => {
    const finance: Caller = await core.grantee({ level: 'group_admin', groupId: 'group_finance', spaceId: 'space_acme', permissionKey: '*' });
    await finance.get('/spaces/space_acme/groups/group_finance').expect(200);
    await finance.get('/spaces/space_acme/groups/group_finance_apac').expect(200);
    await finance.get('/groups/group_finance_emea').expect(200);
    await finance.patch('/spaces/space_acme/groups/group_finance_apac', { display_name: 'APAC' }).expect(200);
    await finance.post('/spaces/space_acme/groups', { path: 'finance.latam', parent_group_id: 'group_finance' }).expect(201);
    await finance.get('/resources/invoice/invoice_001').expect(200);
    await finance.get('/spaces/space_acme/resources/invoice_001').expect(200);
    await finance.post('/spaces/space_acme/resources', { resource_type: 'invoice', group_id: 'group_finance_emea' }).expect(201);
    await finance.patch('/spaces/space_acme/resources/invoice_001', { group_id: 'group_finance_emea' }).expect(200);

    const outside = await Promise.all([
      finance.get('/spaces/space_acme/groups/group_legal'),
      finance.get('/groups/group_legal_emea'),
      finance.patch('/spaces/space_acme/groups/group_legal', { display_name: 'x' }),
      finance.post('/spaces/space_acme/groups', { path: 'legal.apac', parent_group_id: 'group_legal' }),
      finance.post('/spaces/space_acme/groups', { path: 'root' }),
      finance.get('/spaces/space_acme/groups'),
      finance.get('/spaces/space_acme/members'),
      finance.get('/resources/invoice/invoice_002'),
      finance.post('/spaces/space_acme/resources/invoice_002/archive'),
      finance.post('/spaces/space_acme/resources', { resource_type: 'invoice', group_id: 'group_legal' }),
      finance.post('/spaces/space_acme/resources', { resource_type: 'invoice' }),
      finance.patch('/spaces/space_acme/resources/invoice_001', { group_id: 'group_legal_emea' }),
      finance.patch('/spaces/space_acme/resources/invoice_001', { group_id: null }),
    ]);
    for (const res of outside) denied(res);
    const [row] = await core.db.dataSource.query(`SELECT group_id FROM resources WHERE id = 'invoice_001'`);
    expect(row.group_id).toBe('group_finance_emea');
    const [legal] = await core.db.dataSource.query(`SELECT display_name, status FROM groups WHERE id = 'group_legal'`);
    expect(legal).toEqual({ display_name: 'Legal', status: 'active' });
  });

  it('accepts API keys, and records the key and its creator as the actor', async () => {
    const key = await core.apiKey({ level: 'instance', permissionKeys: ['users:manage'], createdBy: 'user_bob' });
    const user = (await key.post('/users', { email: 'from-key@example.com' }).expect(201)).body.data;
    const [audit] = await core.auditOf(user.id);
    expect(audit).toMatchObject({ action: 'user.created', actor_user_id: 'user_bob' });
    expect(audit.trace.caller).toEqual({ type: 'api_key', key: key.id });
    denied(await key.get('/spaces'));
    const spaceKey = await core.apiKey({ level: 'space', spaceId: 'space_acme', permissionKeys: ['resources:manage'] });
    await spaceKey.post('/spaces/space_acme/resources/invoice_002/archive').expect(200);
    denied(await spaceKey.get(`/spaces/${otherSpace}/resources`));
    await core.http.get('/api/v1/users').expect(401);
  });
});
