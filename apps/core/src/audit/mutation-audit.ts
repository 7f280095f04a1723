import { type AuditRow, newId } from '@plystra/db';
import type { RequestContext } from '@plystra/http';
import type { Principal } from '../access/principal';

export interface MutationAuditInput {
  /** `<entity>.<verb>`: `group.created`, `user_member.revoked`, `resource.archived`… */
  action: string;
  resourceType: string;
  resourceId: string;
  spaceId: string | null;
  /** A snapshot of the row after the change (never a secret: keys that look secret are refused). */
  details: Record<string, unknown>;
}

/** Who did it: the session's active actor, or the API key's creator and space. */
export function auditActor(principal: Principal | undefined) {
  if (!principal) return { user_id: null, member_id: null, user_member_id: null, space_id: null };
  if (principal.type === 'session') {
    const s = principal.session;
    return { user_id: s.user_id, member_id: s.active_member_id, user_member_id: s.active_user_member_id, space_id: s.active_space_id };
  }
  const k = principal.apiKey;
  return { user_id: k.created_by_user_id, member_id: k.created_by_member_id, user_member_id: null, space_id: k.space_id };
}

/**
 * Which credential made the call. Trace keys never look like secrets (the audit writer refuses
 * `api_key…`, `credential…`, `token…` keys), hence `caller.key` for an API key's id.
 */
export function auditCaller(principal: Principal | undefined) {
  if (!principal) return null;
  return principal.type === 'api_key' ? { type: 'api_key', key: principal.apiKey.id } : { type: 'session', user: principal.session.user_id };
}

/**
 * The audit row of a management mutation; insert it with `insertAuditRows(manager, …)` inside
 * the same transaction as the change, so the change and its record commit together.
 */
export function mutationAuditRow(input: MutationAuditInput, principal: Principal | undefined, ctx: RequestContext): AuditRow {
  const id = newId('audit');
  const actor = auditActor(principal);
  return {
    id,
    space_id: input.spaceId ?? actor.space_id,
    actor_user_id: actor.user_id,
    actor_member_id: actor.member_id,
    actor_user_member_id: actor.user_member_id,
    action: input.action,
    resource_type: input.resourceType,
    resource_id: input.resourceId,
    decision: 'allow',
    deny_code: null,
    trace: {
      trace_version: '1.0',
      decision: 'allow',
      reason: 'Core management API mutation was accepted',
      request_id: ctx.requestId,
      actor,
      caller: auditCaller(principal),
      target: { resource_type: input.resourceType, resource_id: input.resourceId },
      details: input.details,
      audit_log_id: id,
      created_at: new Date().toISOString(),
    },
    request_id: ctx.requestId,
    ip_address: ctx.ip,
    user_agent: ctx.userAgent,
  };
}
