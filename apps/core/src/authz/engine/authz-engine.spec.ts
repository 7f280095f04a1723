import { auditIdOf, crossSpaceViolations, decide, sortCandidates } from './authz-engine';
import { type Candidate, DENY_CODES, type EngineInput, type GroupSnapshot, type TargetSnapshot } from './decision.types';
import { checkScope, pathWithin, SCOPE_RULES } from './scope-rules';

const SPACE = 'space_acme';
const group = (id: string, path: string, space = SPACE): GroupSnapshot => ({ id, space_id: space, path, status: 'active' });
const finance = group('group_finance', 'finance');
const apac = group('group_finance_apac', 'finance.apac');
const legal = group('group_legal_emea', 'legal.emea');

function target(g: GroupSnapshot | null, extra: Partial<TargetSnapshot['resource']> = {}): TargetSnapshot {
  return {
    resource: {
      id: 'invoice_001', external_id: null, type: 'invoice', space_id: SPACE, group_id: g?.id ?? null, group_path: g?.path ?? null,
      owner_member_id: 'member_creator', display_name: null, visibility: 'private', status: 'active', proposed: false, ...extra,
    },
    group: g,
  };
}

function candidate(scope: string, anchor: GroupSnapshot | null, roleKey = 'finance_approver', extra: Partial<Candidate> = {}): Candidate {
  return {
    role: { id: `role_${roleKey}`, key: roleKey, space_id: SPACE },
    permission: { id: `perm_${scope}`, resource: 'invoice', action: 'approve', scope },
    scope_anchor: anchor,
    member_role_id: `mr_${roleKey}_${scope}`,
    member_role_space_id: SPACE,
    ...extra,
  };
}

function input(overrides: Partial<EngineInput> = {}): EngineInput {
  return {
    traceId: 'trc_0123456789abcdef',
    question: { user_id: 'user_alice', member_id: 'member_reviewer', user_member_id: 'um_alice', space_id: SPACE, resource_type: 'invoice', resource_id: 'invoice_001', action: 'approve' },
    actor: {
      user: { id: 'user_alice', email: 'alice@example.com', status: 'active' },
      member: { id: 'member_reviewer', space_id: SPACE, display_name: 'Reviewer', status: 'active' },
      user_member: { id: 'um_alice', user_id: 'user_alice', member_id: 'member_reviewer', space_id: SPACE, relation_type: 'delegate', status: 'active', is_primary: true, expires_at: null },
      space: { id: SPACE, name: 'Acme', status: 'active' },
    },
    registry: {
      resource_type: { id: 'rt_invoice', key: 'invoice', display_name: 'Invoice', description: null, status: 'active', source: 'core' },
      action: { id: 'ra_invoice_approve', resource_type_id: 'rt_invoice', key: 'approve', display_name: 'Approve', description: null, risk_level: 'high', audit_default: true },
      mapping: null,
    },
    target: target(apac),
    candidates: [candidate('group_tree', finance)],
    request: { request_id: 'req_1', ip: '127.0.0.1', user_agent: 'jest', caller: null },
    now: new Date('2030-01-01T00:00:00Z'),
    ...overrides,
  };
}

const actor = { member_id: 'member_reviewer', space_id: SPACE };

describe('scope rules (core.md §4.3)', () => {
  it('self covers the owner only', () => {
    expect(checkScope('self', actor, target(apac, { owner_member_id: 'member_reviewer' }), null)).toEqual({
      covered: true, rule: SCOPE_RULES.self, reason: 'target resource is owned by actor member member_reviewer',
    });
    expect(checkScope('self', actor, target(apac), null)).toMatchObject({ covered: false, deny_code: 'SCOPE_OUT_OF_BOUNDS' });
    expect(checkScope('self', actor, target(apac, { owner_member_id: null }), null)).toMatchObject({ covered: false, deny_code: 'SCOPE_OUT_OF_BOUNDS', reason: 'target resource has no owner member' });
  });

  it('group covers exactly the anchor group, not its children', () => {
    expect(checkScope('group', actor, target(finance), finance)).toMatchObject({ covered: true, rule: SCOPE_RULES.group });
    expect(checkScope('group', actor, target(apac), finance)).toMatchObject({ covered: false, deny_code: 'SCOPE_OUT_OF_BOUNDS', reason: 'target group finance.apac is not anchor group finance' });
    expect(checkScope('group', actor, target(apac), null)).toMatchObject({ covered: false, deny_code: 'SCOPE_ANCHOR_MISSING' });
    expect(checkScope('group', actor, target(null), finance)).toMatchObject({ covered: false, deny_code: 'TARGET_GROUP_MISSING' });
  });

  it('group_tree covers the anchor and its descendants, never a sibling sharing a prefix', () => {
    expect(checkScope('group_tree', actor, target(apac), finance)).toEqual({
      covered: true, rule: SCOPE_RULES.group_tree, reason: 'target group finance.apac is inside anchor group finance',
    });
    expect(checkScope('group_tree', actor, target(group('g_deep', 'finance.apac.sg.north')), finance)).toMatchObject({ covered: true });
    expect(checkScope('group_tree', actor, target(finance), finance)).toMatchObject({ covered: true });
    for (const path of ['finance_old', 'financex', 'legal.emea', 'fin']) {
      expect(checkScope('group_tree', actor, target(group(`g_${path}`, path)), finance)).toMatchObject({ covered: false, deny_code: 'SCOPE_OUT_OF_BOUNDS' });
    }
    expect(checkScope('group_tree', actor, target(legal), finance).reason).toBe('target group legal.emea is outside anchor group finance');
    expect(checkScope('group_tree', actor, target(apac), group('g_other', 'finance', 'space_other'))).toMatchObject({ covered: false });
    expect(checkScope('group_tree', actor, target(apac), null)).toMatchObject({ deny_code: 'SCOPE_ANCHOR_MISSING' });
    expect(checkScope('group_tree', actor, target(null), finance)).toMatchObject({ deny_code: 'TARGET_GROUP_MISSING' });
  });

  it('pathWithin needs the dot: finance never covers finance-old or financex', () => {
    expect(pathWithin('finance.apac', 'finance')).toBe(true);
    expect(pathWithin('finance', 'finance')).toBe(true);
    expect(pathWithin('finance-old', 'finance')).toBe(false);
    expect(pathWithin('financex', 'finance')).toBe(false);
    expect(pathWithin('finance', 'finance.apac')).toBe(false);
  });

  it('space covers the actor space; global is disabled; an unknown scope covers nothing', () => {
    expect(checkScope('space', actor, target(null), null)).toMatchObject({ covered: true, rule: SCOPE_RULES.space });
    expect(checkScope('space', actor, target(null, { space_id: 'space_other' }), null)).toMatchObject({ covered: false, deny_code: 'SCOPE_OUT_OF_BOUNDS' });
    expect(checkScope('global', actor, target(apac), finance)).toEqual({
      covered: false, rule: SCOPE_RULES.global, reason: 'global scope is reserved and disabled in v1', deny_code: 'GLOBAL_SCOPE_DISABLED',
    });
    expect(checkScope('planet', actor, target(apac), finance)).toMatchObject({ covered: false, rule: SCOPE_RULES.unknown, deny_code: 'SCOPE_OUT_OF_BOUNDS' });
  });
});

describe('decide (core.md §4.2 evaluation order)', () => {
  it('knows exactly the 13 deny codes', () => {
    expect(DENY_CODES).toHaveLength(13);
    expect(new Set(DENY_CODES).size).toBe(13);
  });

  it('allows through a covering candidate and fills the decision object', () => {
    const d = decide(input());
    expect(d).toMatchObject({ trace_version: '1.0', trace_id: 'trc_0123456789abcdef', decision: 'allow', deny_code: null, reason: 'at least one matching permission grant covers the target resource' });
    expect(d.matched_candidates).toHaveLength(1);
    expect(d.matched_candidates[0].scope_check).toMatchObject({ covered: true, reason: 'target group finance.apac is inside anchor group finance' });
    expect(d.audit).toEqual({
      audit_log_id: 'audit_0123456789abcdef', actor_user_id: 'user_alice', actor_member_id: 'member_reviewer', actor_user_member_id: 'um_alice',
      space_id: SPACE, action: 'invoice.approve', resource_type: 'invoice', resource_id: 'invoice_001', decision: 'allow', deny_code: null, request_id: 'req_1',
    });
    expect(d.space).toEqual(d.actor.space);
    expect(auditIdOf('trc_ffff')).toBe('audit_ffff');
  });

  it('checks the registry first, before the actor state', () => {
    const inactive = input().actor;
    inactive.user.status = 'disabled';
    const noType = decide(input({ actor: inactive, registry: { resource_type: null, action: null, mapping: null }, target: null }));
    expect(noType).toMatchObject({ decision: 'deny', deny_code: 'INVALID_RESOURCE_TYPE', target: null, matched_candidates: [] });
    const noAction = decide(input({ actor: inactive, registry: { ...input().registry, action: null }, target: null }));
    expect(noAction.deny_code).toBe('INVALID_RESOURCE_ACTION');
  });

  it('reports the first failing actor state in order, with the evaluated candidates in the trace', () => {
    const cases: Array<[string, (a: EngineInput['actor']) => void]> = [
      ['ACTOR_USER_INACTIVE', (a) => { a.user.status = 'disabled'; a.member.status = 'disabled'; a.space.status = 'disabled'; }],
      ['ACTOR_MEMBER_INACTIVE', (a) => { a.member.status = 'disabled'; a.space.status = 'disabled'; a.user_member.status = 'revoked'; }],
      ['SPACE_INACTIVE', (a) => { a.space.status = 'disabled'; a.user_member.status = 'revoked'; }],
      ['USER_MEMBER_REVOKED', (a) => { a.user_member.status = 'revoked'; a.user_member.expires_at = '2020-01-01T00:00:00.000Z'; }],
      ['USER_MEMBER_EXPIRED', (a) => { a.user_member.expires_at = '2029-12-31T23:59:59.999Z'; }],
    ];
    for (const [code, mutate] of cases) {
      const i = input();
      mutate(i.actor);
      const d = decide(i);
      expect(d.deny_code).toBe(code);
      expect(d.matched_candidates).toHaveLength(1);
      expect(d.target?.resource.id).toBe('invoice_001');
    }
    const notYet = input();
    notYet.actor.user_member.expires_at = '2030-01-01T00:00:00.001Z';
    expect(decide(notYet).decision).toBe('allow');
  });

  it('denies CROSS_SPACE_VIOLATION for each broken invariant, naming it', () => {
    const other = 'space_other';
    const cases: Array<[string, (i: EngineInput) => void, RegExp]> = [
      ['binding user', (i) => { i.actor.user_member.user_id = 'user_bob'; }, /belongs to user user_bob/],
      ['binding member', (i) => { i.actor.user_member.member_id = 'member_other'; }, /points at member member_other/],
      ['binding space', (i) => { i.actor.user_member.space_id = other; }, /binding um_alice is in space space_other/],
      ['member space', (i) => { i.actor.member.space_id = other; }, /member member_reviewer is in space space_other/],
      ['resource space', (i) => { i.target = target(apac, { space_id: other }); }, /target resource invoice_001 is in space space_other/],
      ['target group space', (i) => { i.target = target(group('g_x', 'finance.apac', other)); }, /target group g_x is in space space_other/],
      ['role space', (i) => { i.candidates = [candidate('group_tree', finance, 'r', { role: { id: 'r', key: 'r', space_id: other } })]; }, /role r is in space space_other/],
      ['member-role space', (i) => { i.candidates = [candidate('group_tree', finance, 'r', { member_role_space_id: other })]; }, /role grant mr_r_group_tree is in space space_other/],
      ['anchor space', (i) => { i.candidates = [candidate('group_tree', group('g_a', 'finance', other))]; }, /anchor group g_a of role finance_approver is in space space_other/],
      ['requested user', (i) => { i.question = { ...i.question, user_id: 'user_x' }; }, /not the requested user/],
    ];
    for (const [name, mutate, reason] of cases) {
      const i = input();
      mutate(i);
      const d = decide(i);
      expect({ name, code: d.deny_code }).toEqual({ name, code: 'CROSS_SPACE_VIOLATION' });
      expect(d.reason).toMatch(reason);
      expect(crossSpaceViolations(i, i.target!, i.candidates)).toHaveLength(1);
    }
  });

  it('puts actor state before the same-space invariants', () => {
    const i = input();
    i.actor.member.space_id = 'space_other';
    i.actor.user_member.status = 'revoked';
    expect(decide(i).deny_code).toBe('USER_MEMBER_REVOKED');
  });

  it('denies NO_MATCHING_PERMISSION without candidates', () => {
    const d = decide(input({ candidates: [] }));
    expect(d).toMatchObject({ deny_code: 'NO_MATCHING_PERMISSION', matched_candidates: [] });
  });

  it('allows when any candidate covers (union), whatever the others say', () => {
    const d = decide(input({ candidates: [candidate('global', null, 'a_role'), candidate('group', null, 'b_role'), candidate('group_tree', finance, 'c_role')] }));
    expect(d.decision).toBe('allow');
    expect(d.matched_candidates.map((c) => c.scope_check.covered)).toEqual([false, false, true]);
  });

  it('denies with the first sorted candidate’s failure: role key, resource, action, scope', () => {
    const zeta = candidate('group', null, 'zeta');
    const alpha = candidate('group_tree', finance, 'alpha');
    const d = decide(input({ target: target(null), candidates: [zeta, alpha] }));
    expect(d.matched_candidates.map((c) => c.role.key)).toEqual(['alpha', 'zeta']);
    expect(d.deny_code).toBe('TARGET_GROUP_MISSING');
    expect(decide(input({ target: target(legal), candidates: [candidate('group', null, 'a'), alpha] })).deny_code).toBe('SCOPE_ANCHOR_MISSING');
    expect(decide(input({ candidates: [candidate('global', null)] })).deny_code).toBe('GLOBAL_SCOPE_DISABLED');
    const byScope = sortCandidates([candidate('space', null, 'r'), candidate('group', finance, 'r'), candidate('self', null, 'r')]);
    expect(byScope.map((c) => c.permission.scope)).toEqual(['group', 'self', 'space']);
    expect(decide(input({ target: target(legal), candidates: [alpha] })).reason).toBe(
      'matching permission grants do not cover the target resource scope (alpha: target group legal.emea is outside anchor group finance)',
    );
  });
});
