import { startCore, type CoreTestApp } from '../core-test-app';
import { alice, auditRow, bob, insertApiKey, withKey } from './authz-test-kit';

/** core.md §10: the Finance Reviewer demo, each scenario through HTTP with its exact decision and audit row. */
describe('authz check: the demo scenarios (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  let key: string;
  beforeAll(async () => {
    core = await startCore();
    key = await insertApiKey(core.db.dataSource, { level: 'space', spaceId: 'space_acme' });
  });
  afterAll(() => core.close());

  const check = (body: object) => withKey(core, key, 'check', body);
  const explain = (body: object) => withKey(core, key, 'explain', body);

  it('allows Alice to approve invoice_001 with exactly one candidate, and records it', async () => {
    const res = await check({ actor: alice, resource_type: 'invoice', resource_id: 'invoice_001', action: 'approve' }).expect(200);
    const data = res.body.data;
    expect(data).toMatchObject({ allow: true, decision: 'allow', deny_code: null, reason: 'at least one matching permission grant covers the target resource' });
    expect(data.trace_id).toMatch(/^trc_[0-9a-f]{16}$/);
    expect(data.audit_log_id).toBe(`audit_${data.trace_id.slice(4)}`);
    expect(res.headers['x-plystra-trace-id']).toBe(data.trace_id);
    expect(res.headers['x-plystra-audit-log-id']).toBe(data.audit_log_id);
    const row = await auditRow(core.db.dataSource, data.audit_log_id);
    expect(row).toMatchObject({
      space_id: 'space_acme', actor_user_id: 'user_alice', actor_member_id: 'member_finance_reviewer', actor_user_member_id: 'um_alice_finance_reviewer',
      action: 'invoice.approve', resource_type: 'invoice', resource_id: 'invoice_001', decision: 'allow', deny_code: null, request_id: res.body.request_id,
    });
    expect(row.trace.matched_candidates).toHaveLength(1);
    expect(row.trace.matched_candidates[0].scope_check).toMatchObject({ covered: true, reason: 'target group finance.apac is inside anchor group finance' });
  });
});
