import { type AuditRow, isSecretLookingKey } from '@plystra/db';
import type { RequestContext } from '@plystra/http';
import type { Principal } from '../access/principal';
import { type MutationAuditInput, mutationAuditRow } from '../audit/mutation-audit';

/** Trace keys of the shared mutation row that the audit writer would refuse as secret-looking. */
const RENAMED: Record<string, string> = { credential_type: 'caller_type', api_key_id: 'caller_key_id' };

function renamed(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [isSecretLookingKey(key) && RENAMED[key] ? RENAMED[key] : key, child]));
}

/**
 * The audit row of an admin-grant or API-key mutation. Its details are ids, scope and permission
 * keys only: never a plaintext key or a hash.
 */
export function credentialAuditRow(input: MutationAuditInput, principal: Principal, ctx: RequestContext): AuditRow {
  const row = mutationAuditRow(input, principal, ctx);
  const trace = row.trace as Record<string, unknown>;
  return { ...row, trace: { ...renamed(trace), actor: renamed(trace.actor as Record<string, unknown>) } };
}
