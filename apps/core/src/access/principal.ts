import type { SessionRow } from '@plystra/session';

export type GrantLevel = 'instance_super_admin' | 'instance_admin' | 'space_admin' | 'group_admin';
export type KeyLevel = 'instance' | 'space' | 'group';

/** One scoped permission a credential holds: an admin grant or one key of an API key. */
export interface HeldPermission {
  level: 'instance' | 'space' | 'group';
  permissionKey: string;
  spaceId: string | null;
  groupId: string | null;
  /** Where it came from (an admin grant id or an API key id), for explanations. */
  source: string;
}

export interface GrantRow {
  id: string;
  level: GrantLevel;
  permission_key: string;
  space_id: string | null;
  group_id: string | null;
  member_id: string | null;
}

export interface ApiKeyRow {
  id: string;
  name: string;
  level: KeyLevel;
  space_id: string | null;
  group_id: string | null;
  permission_keys: string[];
  created_by_user_id: string | null;
  created_by_member_id: string | null;
}

export type Principal =
  | { type: 'session'; session: SessionRow; grants: GrantRow[]; superAdmin: boolean; held: HeldPermission[] }
  | { type: 'api_key'; apiKey: ApiKeyRow; held: HeldPermission[]; cached?: CachedKeyProof };

/**
 * Set when an API key was taken from the in-process cache without a database read in this
 * request: the handler must compare `version` with the `api_key_version` its own query reads and,
 * when they differ, use `reverify()` (a fresh lookup, 401 if the key no longer authenticates).
 */
export interface CachedKeyProof {
  version: string;
  reverify(): Promise<Principal>;
}

/** The principal to decide with, given the `api_key_version` the handler's own query read. */
export async function confirmedPrincipal(principal: Principal, apiKeyVersion: string | null): Promise<Principal> {
  if (principal.type !== 'api_key' || !principal.cached || principal.cached.version === apiKeyVersion) return principal;
  return principal.cached.reverify();
}

/** What a route (or a handler, for a real target) requires. */
export interface Requirement {
  permission: string;
  spaceId?: string | null;
  groupId?: string | null;
}

export function heldFromGrants(grants: GrantRow[]): HeldPermission[] {
  return grants
    .filter((g) => g.level !== 'instance_super_admin')
    .map((g) => ({
      level: g.level === 'instance_admin' ? 'instance' : g.level === 'space_admin' ? 'space' : 'group',
      permissionKey: g.permission_key,
      spaceId: g.space_id,
      groupId: g.group_id,
      source: g.id,
    }));
}

export function heldFromApiKey(key: ApiKeyRow): HeldPermission[] {
  return key.permission_keys.map((permissionKey) => ({ level: key.level, permissionKey, spaceId: key.space_id, groupId: key.group_id, source: key.id }));
}
