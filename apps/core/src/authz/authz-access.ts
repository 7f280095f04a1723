import { Injectable } from '@nestjs/common';
import { AccessPolicy } from '../access/access-policy.service';
import type { Principal, Requirement } from '../access/principal';
import type { InlineGrant } from './context-mode';
import type { GroupSnapshot, TargetSnapshot } from './engine/decision.types';

export const AUTHZ_CHECK = 'authz:check';

/** A space a check touches, with the group it touches there (if any). */
export interface TouchedScope {
  spaceId: string;
  group: GroupSnapshot | null;
}

/**
 * Where a check reaches: the requested space, the real spaces of the stored member and binding,
 * the target's space and group, and the space and anchor of every inline grant (a grant without
 * an anchor reaches the target group of its space). A caller must cover all of them, so a
 * snapshot from a space it cannot check in never reaches it.
 */
export function touchedScopes(actorSpaceId: string, actorSpaces: string[], target: TargetSnapshot | null, grants: InlineGrant[]): TouchedScope[] {
  const group = target?.group ?? null;
  const inSpace = (spaceId: string) => (group?.space_id === spaceId ? group : null);
  const touched: TouchedScope[] = [actorSpaceId, ...actorSpaces].map((spaceId) => ({ spaceId, group: inSpace(spaceId) }));
  if (target) touched.push({ spaceId: target.resource.space_id, group });
  for (const { candidate } of grants) touched.push({ spaceId: candidate.role.space_id, group: candidate.scope_anchor ?? inSpace(candidate.role.space_id) });
  return touched;
}

/**
 * The `authz:check` requirements for the scopes a check touches: each space (through the touched
 * group when that group lies in it, so group-scoped credentials are checked against the group),
 * and each group in its own real space.
 */
export function authzRequirements(touched: TouchedScope[]): Requirement[] {
  const out = new Map<string, Requirement>();
  const add = (spaceId: string, groupId: string | null) => out.set(`${spaceId}\0${groupId ?? ''}`, { permission: AUTHZ_CHECK, spaceId, groupId });
  for (const t of touched) {
    add(t.spaceId, t.group && t.group.space_id === t.spaceId ? t.group.id : null);
    if (t.group && t.group.space_id !== t.spaceId) add(t.group.space_id, t.group.id);
  }
  return [...out.values()];
}

/** Asserts the caller holds `authz:check` wherever the check reaches (403 ADMIN_PERMISSION_REQUIRED). */
@Injectable()
export class AuthzAccess {
  constructor(private readonly policy: AccessPolicy) {}

  async assert(principal: Principal, touched: TouchedScope[]): Promise<void> {
    for (const requirement of authzRequirements(touched)) await this.policy.assert(principal, requirement);
  }
}
