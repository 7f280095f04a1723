import { insertGroup } from '@plystra/db/testing';
import { startCore, type CoreTestApp } from '../core-test-app';
import { insertApiKey, insertResource, memberWithGrants, withKey } from './authz-test-kit';

const SPACE = 'space_acme';

/** core.md §4.3 through HTTP: each scope covers exactly what it should, with the documented failure codes. */
describe('authz check: the scope matrix (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  let key: string;
  const res: Record<string, string> = {};
  beforeAll(async () => {
    core = await startCore();
    const ds = core.db.dataSource;
    key = await insertApiKey(ds, { level: 'space', spaceId: SPACE });
    const financeOld = await insertGroup(ds, SPACE, 'finance_old');
    const financex = await insertGroup(ds, SPACE, 'financex');
    const deep = await insertGroup(ds, SPACE, 'finance.apac.sg', { parentGroupId: 'group_finance_apac' });
    res.finance = await insertResource(ds, SPACE, { groupId: 'group_finance' });
    res.financeOld = await insertResource(ds, SPACE, { groupId: financeOld });
    res.financex = await insertResource(ds, SPACE, { groupId: financex });
    res.deep = await insertResource(ds, SPACE, { groupId: deep });
    res.noGroup = await insertResource(ds, SPACE, { groupId: null, ownerMemberId: 'member_invoice_creator' });
  });
  afterAll(() => core.close());

  async function decide(actor: object, resourceId: string, action = 'read') {
    const r = await withKey(core, key, 'explain', { actor, resource_type: 'invoice', resource_id: resourceId, action }).expect(200);
    return r.body.data;
  }

  it('self covers the owner, and only the owner', async () => {
    const actor = await memberWithGrants(core.db.dataSource, SPACE, [{ scope: 'self' }]);
    const own = await insertResource(core.db.dataSource, SPACE, { ownerMemberId: actor.member_id });
    expect((await decide(actor, own)).matched_candidates[0].scope_check).toEqual({
      covered: true, rule: 'resource.owner_member_id == actor.member_id', reason: `target resource is owned by actor member ${actor.member_id}`,
    });
    expect((await decide(actor, own)).decision).toBe('allow');
    expect(await decide(actor, 'invoice_001')).toMatchObject({ decision: 'deny', deny_code: 'SCOPE_OUT_OF_BOUNDS' });
  });

  it('group covers its anchor group but misses a child group', async () => {
    const actor = await memberWithGrants(core.db.dataSource, SPACE, [{ scope: 'group', anchorGroupId: 'group_finance' }]);
    expect((await decide(actor, res.finance)).decision).toBe('allow');
    const child = await decide(actor, 'invoice_001');
    expect(child).toMatchObject({ decision: 'deny', deny_code: 'SCOPE_OUT_OF_BOUNDS' });
    expect(child.matched_candidates[0].scope_check).toMatchObject({ rule: 'target_group_id = scope_anchor_group_id', reason: 'target group finance.apac is not anchor group finance' });
  });

  it('group_tree covers the anchor and every descendant, but finance never covers finance_old or financex', async () => {
    const actor = await memberWithGrants(core.db.dataSource, SPACE, [{ scope: 'group_tree', anchorGroupId: 'group_finance' }]);
    for (const id of [res.finance, 'invoice_001', res.deep]) expect({ id, decision: (await decide(actor, id)).decision }).toEqual({ id, decision: 'allow' });
    for (const id of [res.financeOld, res.financex, 'invoice_002']) {
      const d = await decide(actor, id);
      expect({ id, deny: d.deny_code }).toEqual({ id, deny: 'SCOPE_OUT_OF_BOUNDS' });
    }
    expect((await decide(actor, res.financeOld)).matched_candidates[0].scope_check.reason).toBe('target group finance_old is outside anchor group finance');
    expect((await decide(actor, res.deep)).matched_candidates[0].scope_check.reason).toBe('target group finance.apac.sg is inside anchor group finance');
  });

  it('space covers every resource of the space', async () => {
    const actor = await memberWithGrants(core.db.dataSource, SPACE, [{ scope: 'space' }]);
    for (const id of ['invoice_002', res.noGroup]) expect((await decide(actor, id)).decision).toBe('allow');
  });

  it('a grant without anchor denies SCOPE_ANCHOR_MISSING; a target without group denies TARGET_GROUP_MISSING', async () => {
    const unanchored = await memberWithGrants(core.db.dataSource, SPACE, [{ scope: 'group_tree', anchorGroupId: null }]);
    expect(await decide(unanchored, 'invoice_001')).toMatchObject({ deny_code: 'SCOPE_ANCHOR_MISSING' });
    const anchored = await memberWithGrants(core.db.dataSource, SPACE, [{ scope: 'group', anchorGroupId: 'group_finance' }]);
    expect(await decide(anchored, res.noGroup)).toMatchObject({ deny_code: 'TARGET_GROUP_MISSING' });
  });

  it('global is disabled: an inline global grant denies GLOBAL_SCOPE_DISABLED; a stored global permission (always disabled) is no candidate', async () => {
    const actor = await memberWithGrants(core.db.dataSource, SPACE, [{ scope: 'global' }]);
    expect(await decide(actor, 'invoice_001')).toMatchObject({ deny_code: 'NO_MATCHING_PERMISSION', matched_candidates: [] });
    const inline = await withKey(core, key, 'explain', {
      actor: { ...actor, member_display_name: 'Inline' }, resource_type: 'invoice', resource_id: 'invoice_001', action: 'read', grants: [{ scope: 'global' }],
    }).expect(200);
    expect(inline.body.data).toMatchObject({ deny_code: 'GLOBAL_SCOPE_DISABLED' });
    expect(inline.body.data.matched_candidates[0].scope_check).toEqual({
      covered: false, rule: 'global scope disabled for ordinary Members', reason: 'global scope is reserved and disabled in v1', deny_code: 'GLOBAL_SCOPE_DISABLED',
    });
  });

  it('allows when any of several grants covers (union), and otherwise denies with the first sorted candidate’s code', async () => {
    const union = await memberWithGrants(core.db.dataSource, SPACE, [
      { scope: 'group', anchorGroupId: 'group_legal', roleKey: 'a_legal' },
      { scope: 'group_tree', anchorGroupId: 'group_finance', roleKey: 'b_finance' },
    ]);
    const allowed = await decide(union, 'invoice_001');
    expect(allowed.decision).toBe('allow');
    expect(allowed.matched_candidates.map((c: { role: { key: string } }) => c.role.key)).toEqual(['a_legal', 'b_finance']);
    const ordered = await memberWithGrants(core.db.dataSource, SPACE, [
      { scope: 'group', anchorGroupId: 'group_legal', roleKey: 'z_legal' },
      { scope: 'group_tree', anchorGroupId: null, roleKey: 'm_unanchored' },
    ]);
    expect(await decide(ordered, res.noGroup)).toMatchObject({ deny_code: 'SCOPE_ANCHOR_MISSING' });
    expect(await decide(ordered, 'invoice_001')).toMatchObject({ deny_code: 'SCOPE_ANCHOR_MISSING' });
  });

  it('reads revoked grants, disabled roles and soft-deleted role-permissions as absent', async () => {
    const ds = core.db.dataSource;
    const actor = await memberWithGrants(ds, SPACE, [{ scope: 'space' }]);
    expect((await decide(actor, 'invoice_001')).decision).toBe('allow');
    await ds.query(`UPDATE member_roles SET status = 'revoked' WHERE member_id = $1`, [actor.member_id]);
    expect(await decide(actor, 'invoice_001')).toMatchObject({ deny_code: 'NO_MATCHING_PERMISSION' });
    const second = await memberWithGrants(ds, SPACE, [{ scope: 'space' }]);
    await ds.query(`UPDATE roles SET status = 'disabled' WHERE id IN (SELECT role_id FROM member_roles WHERE member_id = $1)`, [second.member_id]);
    expect(await decide(second, 'invoice_001')).toMatchObject({ deny_code: 'NO_MATCHING_PERMISSION' });
    const third = await memberWithGrants(ds, SPACE, [{ scope: 'space' }]);
    await ds.query(`UPDATE role_permissions SET deleted_at = now() WHERE role_id IN (SELECT role_id FROM member_roles WHERE member_id = $1)`, [third.member_id]);
    expect(await decide(third, 'invoice_001')).toMatchObject({ deny_code: 'NO_MATCHING_PERMISSION' });
  });
});
