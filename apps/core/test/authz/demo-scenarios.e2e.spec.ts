import { startCore, type CoreTestApp } from '../core-test-app';
import { actorOf, alice, auditRow, grantAdmin, insertApiKey, login, withKey, withSession } from './authz-test-kit';

const invoice = (id: string, action = 'approve') => ({ resource_type: 'invoice', resource_id: id, action });

/**
 * core.md §10: the Finance Reviewer demo, through HTTP. Alice and Bob check through their own
 * sessions; the revoked and expired bindings (which a session cannot act through) go through an
 * API key holding authz:check in space_acme.
 */
describe('authz check: the demo scenarios (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  let key: string;
  let aliceToken: string;
  let bobToken: string;
  beforeAll(async () => {
    core = await startCore();
    const ds = core.db.dataSource;
    key = await insertApiKey(ds, { level: 'space', spaceId: 'space_acme' });
    await grantAdmin(ds, 'user_alice', 'space_admin', 'authz:check', { spaceId: 'space_acme' });
    await grantAdmin(ds, 'user_bob', 'space_admin', 'authz:check', { spaceId: 'space_acme' });
    [aliceToken, bobToken] = await Promise.all([login(core, 'alice@example.com'), login(core, 'bob@example.com')]);
  });
  afterAll(() => core.close());

  async function expectRecorded(res: { body: { data: { audit_log_id: string }; request_id: string } }, expected: Record<string, unknown>) {
    const row = await auditRow(core.db.dataSource, res.body.data.audit_log_id);
    expect(row).toMatchObject({ request_id: res.body.request_id, space_id: 'space_acme', ...expected });
    return row;
  }

  it('Alice approves invoice_001: allow through exactly one candidate, recorded with her ids', async () => {
    const res = await withSession(core, aliceToken, 'check', invoice('invoice_001')).expect(200);
    const data = res.body.data;
    expect(data).toMatchObject({ allow: true, decision: 'allow', deny_code: null, reason: 'at least one matching permission grant covers the target resource' });
    expect(Object.keys(data).sort()).toEqual(['allow', 'audit', 'audit_log_id', 'decision', 'deny_code', 'reason', 'trace_id']);
    expect(data.trace_id).toMatch(/^trc_[0-9a-f]{16}$/);
    expect(data.audit_log_id).toBe(`audit_${data.trace_id.slice(4)}`);
    expect(res.headers['x-plystra-trace-id']).toBe(data.trace_id);
    expect(res.headers['x-plystra-audit-log-id']).toBe(data.audit_log_id);
    expect(data.audit).toEqual({
      audit_log_id: data.audit_log_id, actor_user_id: 'user_alice', actor_member_id: 'member_finance_reviewer', actor_user_member_id: 'um_alice_finance_reviewer',
      space_id: 'space_acme', action: 'invoice.approve', resource_type: 'invoice', resource_id: 'invoice_001', decision: 'allow', deny_code: null, request_id: res.body.request_id,
    });
    const row = await expectRecorded(res, {
      actor_user_id: 'user_alice', actor_member_id: 'member_finance_reviewer', actor_user_member_id: 'um_alice_finance_reviewer',
      action: 'invoice.approve', resource_type: 'invoice', resource_id: 'invoice_001', decision: 'allow', deny_code: null,
    });
    expect(row.trace.matched_candidates).toHaveLength(1);
    expect(row.trace.matched_candidates[0]).toMatchObject({
      role: { id: 'role_finance_approver', key: 'finance_approver', space_id: 'space_acme' },
      permission: { id: 'perm_invoice_approve_group_tree', resource: 'invoice', action: 'approve', scope: 'group_tree' },
      scope_anchor: { id: 'group_finance', path: 'finance', space_id: 'space_acme' },
      member_role_id: 'mr_finance_reviewer_approver',
      member_role_space_id: 'space_acme',
      scope_check: { covered: true, reason: 'target group finance.apac is inside anchor group finance' },
    });
  });

  it('Alice approves invoice_002 (legal.emea): deny SCOPE_OUT_OF_BOUNDS', async () => {
    const res = await withSession(core, aliceToken, 'check', invoice('invoice_002')).expect(200);
    expect(res.body.data).toMatchObject({ allow: false, decision: 'deny', deny_code: 'SCOPE_OUT_OF_BOUNDS' });
    const row = await expectRecorded(res, { actor_user_id: 'user_alice', decision: 'deny', deny_code: 'SCOPE_OUT_OF_BOUNDS', resource_id: 'invoice_002' });
    expect(row.trace.matched_candidates[0].scope_check).toMatchObject({ covered: false, reason: 'target group legal.emea is outside anchor group finance' });
  });

  it('Bob through the same member: allow, and the audit row names user_bob', async () => {
    const res = await withSession(core, bobToken, 'check', invoice('invoice_001')).expect(200);
    expect(res.body.data).toMatchObject({ allow: true, deny_code: null });
    await expectRecorded(res, { actor_user_id: 'user_bob', actor_member_id: 'member_finance_reviewer', actor_user_member_id: 'um_bob_finance_reviewer', decision: 'allow' });
  });

  it('the revoked binding: deny USER_MEMBER_REVOKED (API key)', async () => {
    const res = await withKey(core, key, 'check', { actor: actorOf('user_alice', 'um_alice_finance_reviewer_revoked'), ...invoice('invoice_001') }).expect(200);
    expect(res.body.data).toMatchObject({ allow: false, deny_code: 'USER_MEMBER_REVOKED' });
    const row = await expectRecorded(res, { actor_user_id: 'user_alice', actor_user_member_id: 'um_alice_finance_reviewer_revoked', decision: 'deny', deny_code: 'USER_MEMBER_REVOKED' });
    expect(row.trace.actor.user_member).toMatchObject({ id: 'um_alice_finance_reviewer_revoked', status: 'revoked' });
    expect(row.trace.matched_candidates).toHaveLength(1);
  });

  it('the expired binding: deny USER_MEMBER_EXPIRED (API key)', async () => {
    const res = await withKey(core, key, 'check', { actor: actorOf('user_alice', 'um_alice_finance_reviewer_expired'), ...invoice('invoice_001') }).expect(200);
    expect(res.body.data).toMatchObject({ allow: false, deny_code: 'USER_MEMBER_EXPIRED' });
    const row = await expectRecorded(res, { actor_user_member_id: 'um_alice_finance_reviewer_expired', deny_code: 'USER_MEMBER_EXPIRED' });
    expect(row.trace.actor.user_member.expires_at).toBe('2020-01-01T00:00:00.000Z');
  });

  it('a session cannot act through its revoked or expired binding (403 ACTIVE_MEMBER_REQUIRED, nothing recorded)', async () => {
    const count = async () => (await core.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs`))[0].n;
    const before = await count();
    for (const binding of ['um_alice_finance_reviewer_revoked', 'um_alice_finance_reviewer_expired']) {
      const res = await withSession(core, aliceToken, 'check', { actor: { user_member_id: binding }, ...invoice('invoice_001') }).expect(403);
      expect(res.body.error.code).toBe('ACTIVE_MEMBER_REQUIRED');
    }
    expect(await count()).toBe(before);
  });

  it('reject: deny NO_MATCHING_PERMISSION with no candidate', async () => {
    const res = await withSession(core, aliceToken, 'explain', invoice('invoice_001', 'reject')).expect(200);
    expect(res.body.data).toMatchObject({ decision: 'deny', deny_code: 'NO_MATCHING_PERMISSION', matched_candidates: [] });
    const row = await auditRow(core.db.dataSource, res.body.data.audit.audit_log_id);
    expect(row).toMatchObject({ action: 'invoice.reject', actor_user_id: 'user_alice', deny_code: 'NO_MATCHING_PERMISSION', request_id: res.body.request_id });
  });

  it('type contract: deny INVALID_RESOURCE_TYPE; action void: deny INVALID_RESOURCE_ACTION (no 404 for the unregistered target)', async () => {
    const type = await withSession(core, aliceToken, 'check', { resource_type: 'contract', resource_id: 'contract_001', action: 'approve' }).expect(200);
    expect(type.body.data).toMatchObject({ allow: false, deny_code: 'INVALID_RESOURCE_TYPE' });
    await expectRecorded(type, { action: 'contract.approve', resource_type: 'contract', deny_code: 'INVALID_RESOURCE_TYPE' });
    const action = await withSession(core, aliceToken, 'check', invoice('invoice_001', 'void')).expect(200);
    expect(action.body.data).toMatchObject({ allow: false, deny_code: 'INVALID_RESOURCE_ACTION' });
    await expectRecorded(action, { action: 'invoice.void', deny_code: 'INVALID_RESOURCE_ACTION' });
  });

  it('explain returns the whole decision object, field by field, and writes the same audit row', async () => {
    const res = await withKey(core, key, 'explain', { actor: alice, ...invoice('invoice_001') }).expect(200);
    const d = res.body.data;
    expect(Object.keys(d).sort()).toEqual(
      ['actor', 'audit', 'decision', 'deny_code', 'evaluated_at', 'matched_candidates', 'reason', 'request', 'resource_registry', 'space', 'target', 'trace_id', 'trace_version'].sort(),
    );
    expect(d.trace_version).toBe('1.0');
    expect(res.headers['x-plystra-trace-id']).toBe(d.trace_id);
    expect(res.headers['x-plystra-audit-log-id']).toBe(d.audit.audit_log_id);
    expect(d.actor).toEqual({
      user: { id: 'user_alice', email: 'alice@example.com', status: 'active' },
      member: { id: 'member_finance_reviewer', space_id: 'space_acme', display_name: 'Finance Reviewer', status: 'active' },
      user_member: {
        id: 'um_alice_finance_reviewer', user_id: 'user_alice', member_id: 'member_finance_reviewer', space_id: 'space_acme',
        relation_type: 'delegate', status: 'active', is_primary: true, expires_at: null,
      },
      space: { id: 'space_acme', name: 'Acme', status: 'active' },
    });
    expect(d.space).toEqual({ id: 'space_acme', name: 'Acme', status: 'active' });
    expect(d.target).toEqual({
      resource: {
        id: 'invoice_001', external_id: 'INV-001', type: 'invoice', space_id: 'space_acme', group_id: 'group_finance_apac', group_path: 'finance.apac',
        owner_member_id: 'member_invoice_creator', display_name: 'Invoice 001', visibility: 'private', status: 'active', proposed: false,
      },
      group: { id: 'group_finance_apac', space_id: 'space_acme', path: 'finance.apac', status: 'active' },
    });
    expect(d.resource_registry.resource_type).toMatchObject({ id: 'rt_invoice', key: 'invoice', display_name: 'Invoice', status: 'active', source: 'core' });
    expect(d.resource_registry.action).toMatchObject({ id: 'ra_invoice_approve', resource_type_id: 'rt_invoice', key: 'approve', risk_level: 'high', audit_default: true });
    expect(d.resource_registry.mapping).toMatchObject({ id: 'rm_invoice', storage_kind: 'internal_table', table_name: 'resources', id_field: 'id', space_field: 'space_id', group_field: 'group_id' });
    expect(d.request).toEqual({ request_id: res.body.request_id, ip: expect.any(String), user_agent: null, caller: { type: 'api_key', key: expect.stringMatching(/^ak_/) } });
    const row = await auditRow(core.db.dataSource, d.audit.audit_log_id);
    expect(row.trace).toEqual(d);
    expect(row.ip_address).toBe(d.request.ip);
  });

  it('check with explain:true answers the whole decision too', async () => {
    const res = await withKey(core, key, 'check', { actor: alice, ...invoice('invoice_002'), explain: true }).expect(200);
    expect(res.body.data).toMatchObject({ trace_version: '1.0', deny_code: 'SCOPE_OUT_OF_BOUNDS', matched_candidates: [expect.any(Object)] });
  });

  it('check-batch answers every item in order, one audit row each', async () => {
    const checks = [
      { actor: alice, ...invoice('invoice_001') },
      { actor: alice, ...invoice('invoice_002') },
      { actor: actorOf('user_alice', 'um_alice_finance_reviewer_revoked'), ...invoice('invoice_001') },
      { actor: alice, ...invoice('invoice_001', 'reject'), explain: true },
      { actor: alice, resource_type: 'contract', resource_id: 'x', action: 'approve' },
    ];
    const res = await withKey(core, key, 'check-batch', { checks }).expect(200);
    const results = res.body.data.results;
    expect(results.map((r: { deny_code: string | null }) => r.deny_code)).toEqual([null, 'SCOPE_OUT_OF_BOUNDS', 'USER_MEMBER_REVOKED', 'NO_MATCHING_PERMISSION', 'INVALID_RESOURCE_TYPE']);
    expect(results[3].trace_version).toBe('1.0');
    expect(res.headers['x-plystra-trace-id']).toBeUndefined();
    const ids = results.map((r: { audit_log_id?: string; audit: { audit_log_id: string } }) => r.audit.audit_log_id);
    expect(new Set(ids).size).toBe(5);
    const rows = await core.db.dataSource.query(`SELECT id, deny_code FROM audit_logs WHERE id = ANY($1)`, [ids]);
    expect(rows).toHaveLength(5);
    expect(Object.fromEntries(rows.map((r: { id: string; deny_code: string | null }) => [r.id, r.deny_code]))).toEqual(Object.fromEntries(ids.map((id: string, i: number) => [id, results[i].deny_code])));
  });

  it('refuses a batch of more than 100 or none, and records nothing when one item is invalid', async () => {
    const item = { actor: alice, ...invoice('invoice_001') };
    expect((await withKey(core, key, 'check-batch', { checks: Array(101).fill(item) }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    await withKey(core, key, 'check-batch', { checks: [] }).expect(400);
    const [{ before }] = await core.db.dataSource.query(`SELECT count(*)::int AS before FROM audit_logs`);
    const res = await withKey(core, key, 'check-batch', { checks: [item, { ...item, resource_id: 'invoice_nope' }] }).expect(404);
    expect(res.body.error.code).toBe('RESOURCE_NOT_FOUND');
    const [{ after }] = await core.db.dataSource.query(`SELECT count(*)::int AS after FROM audit_logs`);
    expect(after).toBe(before);
  });
});
