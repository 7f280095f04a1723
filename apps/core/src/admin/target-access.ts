import { ApiError } from '@plystra/http';
import type { AccessPolicy } from '../access/access-policy.service';
import { permissionCovers } from '../access/permission-keys';
import type { Principal } from '../access/principal';
import { type CredentialScope, isInstanceScope } from './credential-scope';

/**
 * Checks on a real grant or API key, for the handler-resolved permissions (`admin_grants:*`,
 * `api_keys:*`). Their routes let scoped credentials through, so every handler checks the target
 * here; an instance-wide target counts only instance-level holdings (or a super-admin session),
 * never the route's pass-through.
 */

export function isSuperAdmin(principal: Principal): boolean {
  return principal.type === 'session' && principal.superAdmin;
}

export function coversTarget(policy: AccessPolicy, principal: Principal, permission: string, scope: CredentialScope): Promise<boolean> {
  return policy.covers(principal, { permission, spaceId: scope.spaceId, groupId: scope.groupId }, { target: true });
}

export function denied(permission: string, message: string, scope?: CredentialScope): ApiError {
  return new ApiError(403, 'ADMIN_PERMISSION_REQUIRED', message, {
    permission,
    ...(scope?.spaceId ? { space_id: scope.spaceId } : {}),
    ...(scope?.groupId ? { group_id: scope.groupId } : {}),
  });
}

export async function assertTarget(policy: AccessPolicy, principal: Principal, permission: string, scope: CredentialScope): Promise<void> {
  if (!(await coversTarget(policy, principal, permission, scope))) {
    throw denied(permission, `This credential lacks ${permission} ${isInstanceScope(scope) ? 'for the whole instance' : 'here'}.`, scope);
  }
}

/**
 * Whether the principal may put a permission key on a grant or key in this scope: a super-admin
 * session may hand on anything; anyone else must hold the key there already.
 */
export function canDelegateTo(policy: AccessPolicy, principal: Principal, permissionKey: string, scope: CredentialScope): Promise<boolean> {
  return policy.canDelegate(principal, permissionKey, { spaceId: scope.spaceId, groupId: scope.groupId });
}

export async function assertDelegable(policy: AccessPolicy, principal: Principal, permissionKeys: string[], scope: CredentialScope): Promise<void> {
  for (const key of permissionKeys) {
    if (!(await canDelegateTo(policy, principal, key, scope))) {
      throw denied(key, `This credential does not hold ${key} ${isInstanceScope(scope) ? 'for the whole instance' : 'in this scope'}, so it cannot hand it on.`, scope);
    }
  }
}

/** A condition on the scope columns of `alias`, numbering its parameters from `nextParam`; `sql` null: no condition. */
export type ScopeCondition = (alias: string, nextParam: number) => { sql: string | null; params: unknown[] };

/**
 * The SQL condition, on a table with `space_id` and `group_id`, that keeps exactly the rows whose
 * scope the principal covers for `permission` (AccessPolicy's coverage rule, in SQL, so a filtered
 * list still pages by keyset).
 */
export function visibleScope(principal: Principal, permission: string): ScopeCondition {
  const covering = principal.held.filter((h) => permissionCovers(h.permissionKey, permission));
  if (isSuperAdmin(principal) || covering.some((h) => h.level === 'instance')) return () => ({ sql: null, params: [] });
  const spaces = covering.filter((h) => h.level === 'space' && h.spaceId).map((h) => h.spaceId);
  const groups = covering.filter((h) => h.level === 'group' && h.groupId).map((h) => h.groupId);
  if (!spaces.length && !groups.length) return () => ({ sql: 'FALSE', params: [] });
  return (alias, n) => ({
    sql: `(${alias}.space_id = ANY($${n}::text[]) OR EXISTS (
            SELECT 1 FROM groups tg JOIN groups ag ON ag.id = ANY($${n + 1}::text[])
             WHERE tg.id = ${alias}.group_id AND tg.space_id = ag.space_id
               AND (tg.id = ag.id OR left(tg.path, length(ag.path) + 1) = ag.path || '.')))`,
    params: [spaces, groups],
  });
}
