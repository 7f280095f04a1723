import {
  type Candidate, type Decision, type DenyCode, type EngineInput, type MatchedCandidate, type TargetSnapshot, TRACE_VERSION,
} from './decision.types';
import { checkScope } from './scope-rules';

export const ALLOW_REASON = 'at least one matching permission grant covers the target resource';
export const NO_MATCH_REASON = 'no permission grant matched the requested resource and action';
export const OUT_OF_SCOPE_REASON = 'matching permission grants do not cover the target resource scope';

/** The audit id shares the trace's random suffix: `trc_ab…` ↔ `audit_ab…`. */
export function auditIdOf(traceId: string): string {
  return `audit_${traceId.slice(traceId.indexOf('_') + 1)}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Candidates in decision order: role key, resource, action, scope (then anchor and grant, for a stable trace). */
export function sortCandidates<T extends Candidate>(candidates: T[]): T[] {
  return [...candidates].sort(
    (a, b) =>
      compare(a.role.key, b.role.key) ||
      compare(a.permission.resource, b.permission.resource) ||
      compare(a.permission.action, b.permission.action) ||
      compare(a.permission.scope, b.permission.scope) ||
      compare(a.scope_anchor?.path ?? '', b.scope_anchor?.path ?? '') ||
      compare(a.member_role_id ?? '', b.member_role_id ?? '') ||
      compare(a.role.id, b.role.id),
  );
}

/** Step 2: the first failing actor state, or null. */
export function actorStateFailure(input: EngineInput): { code: DenyCode; reason: string } | null {
  const { user, member, space, user_member: binding } = input.actor;
  if (user.status !== 'active') return { code: 'ACTOR_USER_INACTIVE', reason: `user ${user.id} is ${user.status}` };
  if (member.status !== 'active') return { code: 'ACTOR_MEMBER_INACTIVE', reason: `member ${member.id} is ${member.status}` };
  if (space.status !== 'active') return { code: 'SPACE_INACTIVE', reason: `space ${space.id} is ${space.status}` };
  if (binding.status !== 'active') return { code: 'USER_MEMBER_REVOKED', reason: `user-member binding ${binding.id} is ${binding.status}` };
  if (binding.expires_at && Date.parse(binding.expires_at) < input.now.getTime()) {
    return { code: 'USER_MEMBER_EXPIRED', reason: `user-member binding ${binding.id} expired at ${binding.expires_at}` };
  }
  return null;
}

/**
 * Step 3: every same-space and identity invariant that does not hold, each as a sentence. The
 * binding must join exactly this user and member; binding, member, target resource, target group,
 * and every candidate's role, member-role and anchor must be in the requested space.
 */
export function crossSpaceViolations(input: EngineInput, target: TargetSnapshot, candidates: Candidate[]): string[] {
  const { question: q, actor } = input;
  const space = q.space_id;
  const out: string[] = [];
  if (actor.user.id !== q.user_id) out.push(`user ${actor.user.id} is not the requested user ${q.user_id}`);
  if (actor.member.id !== q.member_id) out.push(`member ${actor.member.id} is not the requested member ${q.member_id}`);
  if (actor.user_member.id !== q.user_member_id) out.push(`binding ${actor.user_member.id} is not the requested binding ${q.user_member_id}`);
  if (actor.space.id !== space) out.push(`space ${actor.space.id} is not the requested space ${space}`);
  if (actor.user_member.user_id !== actor.user.id) out.push(`binding ${actor.user_member.id} belongs to user ${actor.user_member.user_id}, not ${actor.user.id}`);
  if (actor.user_member.member_id !== actor.member.id) out.push(`binding ${actor.user_member.id} points at member ${actor.user_member.member_id}, not ${actor.member.id}`);
  if (actor.user_member.space_id !== space) out.push(`binding ${actor.user_member.id} is in space ${actor.user_member.space_id}, not ${space}`);
  if (actor.member.space_id !== space) out.push(`member ${actor.member.id} is in space ${actor.member.space_id}, not ${space}`);
  if (target.resource.space_id !== space) out.push(`target resource ${target.resource.id} is in space ${target.resource.space_id}, not ${space}`);
  if (target.group && target.group.space_id !== space) out.push(`target group ${target.group.id} is in space ${target.group.space_id}, not ${space}`);
  for (const c of candidates) {
    if (c.role.space_id !== space) out.push(`role ${c.role.key} is in space ${c.role.space_id}, not ${space}`);
    if (c.member_role_space_id !== space) out.push(`role grant ${c.member_role_id ?? c.role.key} is in space ${c.member_role_space_id}, not ${space}`);
    if (c.scope_anchor && c.scope_anchor.space_id !== space) out.push(`anchor group ${c.scope_anchor.id} of role ${c.role.key} is in space ${c.scope_anchor.space_id}, not ${space}`);
  }
  return out;
}

interface Verdict {
  deny: DenyCode | null;
  reason: string;
  target: TargetSnapshot | null;
  matched: MatchedCandidate[];
}

function evaluate(input: EngineInput): Verdict {
  const { question: q, actor, registry } = input;
  if (!registry.resource_type) return { deny: 'INVALID_RESOURCE_TYPE', reason: `resource type ${q.resource_type} is not registered`, target: null, matched: [] };
  if (!registry.action) return { deny: 'INVALID_RESOURCE_ACTION', reason: `action ${q.action} is not registered for resource type ${q.resource_type}`, target: null, matched: [] };
  const target = input.target;
  if (!target) throw new Error('a registered question needs a target');
  const scopeActor = { member_id: actor.member.id, space_id: q.space_id };
  const matched = sortCandidates(input.candidates).map((c) => ({ ...c, scope_check: checkScope(c.permission.scope, scopeActor, target, c.scope_anchor) }));
  const verdict = (deny: DenyCode | null, reason: string): Verdict => ({ deny, reason, target, matched });
  const state = actorStateFailure(input);
  if (state) return verdict(state.code, state.reason);
  const violations = crossSpaceViolations(input, target, matched);
  if (violations.length) return verdict('CROSS_SPACE_VIOLATION', `same-space invariant violated: ${violations.join('; ')}`);
  if (matched.length === 0) return verdict('NO_MATCHING_PERMISSION', NO_MATCH_REASON);
  if (matched.some((c) => c.scope_check.covered)) return verdict(null, ALLOW_REASON);
  const first = matched[0];
  return verdict(first.scope_check.deny_code ?? 'SCOPE_OUT_OF_BOUNDS', `${OUT_OF_SCOPE_REASON} (${first.role.key}: ${first.scope_check.reason})`);
}

/**
 * Decides one question, purely: registry → actor state → same-space invariants → candidates →
 * union allow → the first sorted candidate's scope failure (core.md §4.2, reference §3.4). Even
 * an actor-state denial carries the target and every evaluated candidate in its trace.
 */
export function decide(input: EngineInput): Decision {
  const { question: q, actor } = input;
  const { deny, reason, target, matched } = evaluate(input);
  const decision = deny ? 'deny' : 'allow';
  return {
    trace_version: TRACE_VERSION,
    trace_id: input.traceId,
    decision,
    deny_code: deny,
    reason,
    actor,
    space: actor.space,
    target,
    resource_registry: input.registry,
    matched_candidates: matched,
    request: input.request,
    evaluated_at: input.now.toISOString(),
    audit: {
      audit_log_id: auditIdOf(input.traceId),
      actor_user_id: q.user_id,
      actor_member_id: q.member_id,
      actor_user_member_id: q.user_member_id,
      space_id: q.space_id,
      action: `${q.resource_type}.${q.action}`,
      resource_type: q.resource_type,
      resource_id: q.resource_id,
      decision,
      deny_code: deny,
      request_id: input.request.request_id,
    },
  };
}
