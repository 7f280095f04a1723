import { type AuditRow, newId } from '@plystra/db';
import type { Actor } from './actor';

export interface AuthAuditInput {
  action: string;
  userId: string | null;
  actor?: Partial<Actor> | null;
  /** What the event was about; defaults to the user. */
  resourceType?: string;
  resourceId?: string;
  decision?: 'allow' | 'deny';
  reason: string;
  details?: Record<string, unknown>;
  request: { requestId: string | null; ip: string | null; userAgent: string | null };
}

/**
 * An audit row for an account event (sign-in, registration, reuse detection…). Never carries a
 * code, token, password or hash: only ids and what happened.
 */
export function authAuditRow(input: AuthAuditInput): AuditRow {
  const id = newId('audit');
  const decision = input.decision ?? 'allow';
  return {
    id,
    space_id: input.actor?.space_id ?? null,
    actor_user_id: input.userId,
    actor_member_id: input.actor?.member_id ?? null,
    actor_user_member_id: input.actor?.user_member_id ?? null,
    action: input.action,
    resource_type: input.resourceType ?? 'user',
    resource_id: input.resourceId ?? input.userId ?? 'unknown',
    decision,
    deny_code: null,
    trace: {
      trace_version: '1.0',
      event: input.action,
      decision,
      reason: input.reason,
      request: { request_id: input.request.requestId, ip: input.request.ip, user_agent: input.request.userAgent },
      ...(input.details ? { details: input.details } : {}),
      audit_log_id: id,
    },
    request_id: input.request.requestId,
    ip_address: input.request.ip,
    user_agent: input.request.userAgent,
  };
}
