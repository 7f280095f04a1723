import { insertGroup, insertMember, insertSpace, insertUser, insertUserMember } from '@plystra/db/testing';
import { startCore, type CoreTestApp } from '../core-test-app';
import { actorOf, alice, insertApiKey, insertResource, memberWithGrants, withKey } from './authz-test-kit';

const ACME = 'space_acme';
const BETA = 'space_beta';
const invoice001 = { resource_type: 'invoice', resource_id: 'invoice_001', action: 'approve' };
const inlineAlice = { ...alice, member_display_name: 'Finance Reviewer (inline)' };

/**
 * core.md §4.2 step 3, every CROSS_SPACE_VIOLATION variant through HTTP. What the database can
 * store is stored; what its composite keys make impossible (a role, grant or anchor outside the
 * member's space, a target group outside the target's space) is built in Context Mode.
 */
describe('authz check: CROSS_SPACE_VIOLATION variants (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  let instanceKey: string;
  let acmeKey: string;
  let betaGroup: string;
  let beta: { user_id: string; member_id: string; user_member_id: string; space_id: string };
  beforeAll(async () => {
    core = await startCore();
    const ds = core.db.dataSource;
    instanceKey = await insertApiKey(ds, { level: 'instance' });
    acmeKey = await insertApiKey(ds, { level: 'space', spaceId: ACME });
    await insertSpace(ds, { id: BETA, name: 'Beta' });
    betaGroup = await insertGroup(ds, BETA, 'finance');
    beta = await memberWithGrants(ds, BETA, [{ scope: 'group_tree', anchorGroupId: betaGroup, action: 'approve', roleKey: 'beta_approver' }]);
  });
  afterAll(() => core.close());

  async function explain(body: object, key = instanceKey) {
    const res = await withKey(core, key, 'explain', body).expect(200);
    expect(res.body.data.deny_code).toBe('CROSS_SPACE_VIOLATION');
    expect(res.body.data.audit).toMatchObject({ decision: 'deny', deny_code: 'CROSS_SPACE_VIOLATION' });
    const [row] = await core.db.dataSource.query(`SELECT deny_code FROM audit_logs WHERE id = $1`, [res.body.data.audit.audit_log_id]);
    expect(row.deny_code).toBe('CROSS_SPACE_VIOLATION');
    return res.body.data.reason as string;
  }

  it('a binding that belongs to another user', async () => {
    const reason = await explain({ actor: actorOf('user_bob', 'um_alice_finance_reviewer'), ...invoice001 }, acmeKey);
    expect(reason).toBe('same-space invariant violated: binding um_alice_finance_reviewer belongs to user user_alice, not user_bob');
  });

  it('a binding that points at another member', async () => {
    const reason = await explain({ actor: actorOf('user_alice', 'um_alice_finance_reviewer', 'member_invoice_creator'), ...invoice001 }, acmeKey);
    expect(reason).toBe('same-space invariant violated: binding um_alice_finance_reviewer points at member member_finance_reviewer, not member_invoice_creator');
  });

  it('a member (and its binding, role, grant and anchor) in another space than the one asked', async () => {
    const reason = await explain({ actor: { ...beta, space_id: ACME }, ...invoice001 });
    expect(reason).toContain(`member ${beta.member_id} is in space ${BETA}, not ${ACME}`);
    expect(reason).toContain(`binding ${beta.user_member_id} is in space ${BETA}, not ${ACME}`);
    expect(reason).toContain(`role beta_approver is in space ${BETA}, not ${ACME}`);
    expect(reason).toMatch(new RegExp(`role grant mr_[0-9a-f]{16} is in space ${BETA}, not ${ACME}`));
    expect(reason).toContain(`anchor group ${betaGroup} of role beta_approver is in space ${BETA}, not ${ACME}`);
  });

  it('a stored target resource in another space', async () => {
    const betaInvoice = await insertResource(core.db.dataSource, BETA);
    const reason = await explain({ actor: alice, resource_type: 'invoice', resource_id: betaInvoice, action: 'approve' });
    expect(reason).toBe(`same-space invariant violated: target resource ${betaInvoice} is in space ${BETA}, not ${ACME}`);
  });

  it('a target group in another space than the target (Context Mode: proposed target naming a stored group)', async () => {
    const reason = await explain({ actor: alice, ...invoice001, resource_id: 'invoice_new', resource: { space_id: ACME, group_id: betaGroup } });
    expect(reason).toBe(`same-space invariant violated: target group ${betaGroup} is in space ${BETA}, not ${ACME}`);
  });

  it('a role and its grant in another space (Context Mode: inline grant with its own space)', async () => {
    const reason = await explain({ actor: inlineAlice, ...invoice001, grants: [{ role_key: 'outsider', scope: 'space', space_id: BETA }] });
    expect(reason).toBe(`same-space invariant violated: role outsider is in space ${BETA}, not ${ACME}; role grant outsider is in space ${BETA}, not ${ACME}`);
  });

  it('an anchor group in another space (Context Mode: inline grant anchored at a stored group of another space)', async () => {
    const reason = await explain({ actor: inlineAlice, ...invoice001, grants: [{ role_key: 'approver', scope: 'group_tree', scope_anchor_group_id: betaGroup }] });
    expect(reason).toBe(`same-space invariant violated: anchor group ${betaGroup} of role approver is in space ${BETA}, not ${ACME}`);
  });

  it('refuses a space key everything that reaches outside its space (403, no decision recorded)', async () => {
    const betaInvoice = await insertResource(core.db.dataSource, BETA);
    const bodies = [
      { actor: { ...beta, space_id: ACME }, ...invoice001 },
      { actor: alice, resource_type: 'invoice', resource_id: betaInvoice, action: 'approve' },
      { actor: alice, ...invoice001, resource_id: 'invoice_new', resource: { space_id: BETA } },
      { actor: alice, ...invoice001, resource_id: 'invoice_new', resource: { space_id: ACME, group_id: betaGroup } },
      { actor: inlineAlice, ...invoice001, grants: [{ scope: 'space', space_id: BETA }] },
      { actor: inlineAlice, ...invoice001, grants: [{ scope: 'group', scope_anchor_group_id: betaGroup }] },
      { actor: inlineAlice, ...invoice001, grants: [{ resource: 'contract', scope: 'space', space_id: BETA }] },
    ];
    const [{ before }] = await core.db.dataSource.query(`SELECT count(*)::int AS before FROM audit_logs`);
    for (const body of bodies) {
      const res = await withKey(core, acmeKey, 'check', body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 403, code: 'ADMIN_PERMISSION_REQUIRED' });
    }
    const [{ after }] = await core.db.dataSource.query(`SELECT count(*)::int AS after FROM audit_logs`);
    expect(after).toBe(before);
  });

  it('control: an actor whose binding, member and target share the space passes the invariants', async () => {
    const ds = core.db.dataSource;
    const user = await insertUser(ds);
    const member = await insertMember(ds, ACME);
    const binding = await insertUserMember(ds, { userId: user.id, memberId: member, spaceId: ACME });
    const res = await withKey(core, acmeKey, 'check', { actor: actorOf(user.id, binding, member), ...invoice001 }).expect(200);
    expect(res.body.data.deny_code).toBe('NO_MATCHING_PERMISSION');
  });
});
