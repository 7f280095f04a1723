import type { GroupSnapshot, ScopeCheck, TargetSnapshot } from './decision.types';

/** The rule strings recorded in each candidate's scope_check (reference §3.5). */
export const SCOPE_RULES = {
  self: 'resource.owner_member_id == actor.member_id',
  group: 'target_group_id = scope_anchor_group_id',
  group_tree: "target_path = anchor_path OR target_path LIKE anchor_path || '.%'",
  space: 'resource.space_id == actor.space_id',
  global: 'global scope disabled for ordinary Members',
  unknown: 'known permission scope',
} as const;

/** True when `path` is `ancestor` or lies below it: `finance` covers `finance.apac`, never `finance-old` or `financex`. */
export function pathWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`);
}

export interface ScopeActor {
  member_id: string;
  space_id: string;
}

function anchored(rule: string, target: TargetSnapshot, anchor: GroupSnapshot | null): ScopeCheck | { anchor: GroupSnapshot; group: GroupSnapshot } {
  if (!anchor) return { covered: false, rule, reason: 'the role grant has no scope anchor group', deny_code: 'SCOPE_ANCHOR_MISSING' };
  if (!target.group) return { covered: false, rule, reason: `target resource ${target.resource.id} is not in a group`, deny_code: 'TARGET_GROUP_MISSING' };
  return { anchor, group: target.group };
}

/** Whether one permission scope covers the target, with the rule and a human reason (core.md §4.3). */
export function checkScope(scope: string, actor: ScopeActor, target: TargetSnapshot, anchor: GroupSnapshot | null): ScopeCheck {
  switch (scope) {
    case 'self': {
      const owner = target.resource.owner_member_id;
      const rule = SCOPE_RULES.self;
      if (owner && owner === actor.member_id) return { covered: true, rule, reason: `target resource is owned by actor member ${actor.member_id}` };
      const reason = owner ? `target resource is owned by member ${owner}, not actor member ${actor.member_id}` : 'target resource has no owner member';
      return { covered: false, rule, reason, deny_code: 'SCOPE_OUT_OF_BOUNDS' };
    }
    case 'group': {
      const found = anchored(SCOPE_RULES.group, target, anchor);
      if ('rule' in found) return found;
      const { group, anchor: a } = found;
      if (group.id === a.id) return { covered: true, rule: SCOPE_RULES.group, reason: `target group ${group.path} is the anchor group` };
      return { covered: false, rule: SCOPE_RULES.group, reason: `target group ${group.path} is not anchor group ${a.path}`, deny_code: 'SCOPE_OUT_OF_BOUNDS' };
    }
    case 'group_tree': {
      const found = anchored(SCOPE_RULES.group_tree, target, anchor);
      if ('rule' in found) return found;
      const { group, anchor: a } = found;
      if (group.space_id === a.space_id && group.path === a.path) {
        return { covered: true, rule: SCOPE_RULES.group_tree, reason: `target group ${group.path} is anchor group ${a.path}` };
      }
      if (group.space_id === a.space_id && pathWithin(group.path, a.path)) {
        return { covered: true, rule: SCOPE_RULES.group_tree, reason: `target group ${group.path} is inside anchor group ${a.path}` };
      }
      return { covered: false, rule: SCOPE_RULES.group_tree, reason: `target group ${group.path} is outside anchor group ${a.path}`, deny_code: 'SCOPE_OUT_OF_BOUNDS' };
    }
    case 'space': {
      const rule = SCOPE_RULES.space;
      if (target.resource.space_id === actor.space_id) return { covered: true, rule, reason: `target resource is in the actor's space ${actor.space_id}` };
      return { covered: false, rule, reason: `target resource is in space ${target.resource.space_id}, not the actor's space ${actor.space_id}`, deny_code: 'SCOPE_OUT_OF_BOUNDS' };
    }
    case 'global':
      return { covered: false, rule: SCOPE_RULES.global, reason: 'global scope is reserved and disabled in v1', deny_code: 'GLOBAL_SCOPE_DISABLED' };
    default:
      return { covered: false, rule: SCOPE_RULES.unknown, reason: `scope ${JSON.stringify(scope)} is not a known permission scope`, deny_code: 'SCOPE_OUT_OF_BOUNDS' };
  }
}
