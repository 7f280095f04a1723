import { createHash } from 'node:crypto';
import { governedJsonProblems } from '@plystra/db';
import { ApiError } from '@plystra/http';
import type { AuthzActorDto, AuthzGrantDto, AuthzRequestDto, AuthzResourceDto } from './dto/authz-request.dto';
import type { ActorSnapshot, AuthzQuestion, Candidate, GroupSnapshot, TargetSnapshot } from './engine/decision.types';

const GROUP_PATH = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const ACTOR_METADATA: Array<keyof AuthzActorDto> = [
  'user_email', 'user_status', 'member_display_name', 'member_status', 'binding_status', 'relation_type', 'space_name', 'space_status',
];
const RESOURCE_REFERENCE: Array<keyof AuthzResourceDto> = ['type', 'id'];

/** A group named inline: by id, by path, or both, inside a space. */
export interface GroupRef {
  spaceId: string;
  id?: string;
  path?: string;
  field: string;
}

/** The stored groups that inline references name (looked up once per request). */
export interface StoredGroups {
  byId(id: string): GroupSnapshot | undefined;
  byPath(spaceId: string, path: string): GroupSnapshot | undefined;
}

export function actorHasMetadata(actor: AuthzActorDto | undefined | null): boolean {
  return !!actor && ACTOR_METADATA.some((key) => actor[key] !== undefined);
}

export function resourceIsInline(resource: AuthzResourceDto | undefined | null): boolean {
  return !!resource && Object.entries(resource).some(([key, value]) => value !== undefined && !RESOURCE_REFERENCE.includes(key as keyof AuthzResourceDto));
}

/** Inline context (reference §3.1 step 4): a proposed target, inline grants, or actor metadata. */
export function usesInlineContext(dto: AuthzRequestDto): boolean {
  return resourceIsInline(dto.resource) || (dto.grants?.length ?? 0) > 0 || actorHasMetadata(dto.actor);
}

/** "Pure inline": actor and grants come from the request and the database is not asked for them. */
export function isPureInline(dto: AuthzRequestDto): boolean {
  return (dto.grants?.length ?? 0) > 0 || actorHasMetadata(dto.actor);
}

const invalid = (field: string, message: string) => ApiError.validation(`Invalid inline context: ${field} ${message}.`, [{ field, message }]);

function token(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

/** The synthetic id of a group named only by path: `group_inline_` + 16 hex of SHA-1(space NUL path). */
export function inlineGroupId(spaceId: string, path: string): string {
  return `group_inline_${createHash('sha1').update(`${spaceId}\0${path}`).digest('hex').slice(0, 16)}`;
}

/** Inline group references, for the one lookup of stored groups. */
export function inlineGroupRefs(dto: AuthzRequestDto, actorSpaceId: string): GroupRef[] {
  const refs: GroupRef[] = [];
  const r = dto.resource;
  if (r && resourceIsInline(r) && (r.group_id || r.group_path)) refs.push({ spaceId: r.space_id ?? '', id: r.group_id, path: r.group_path, field: 'resource.group_id' });
  (dto.grants ?? []).forEach((g, i) => {
    if (g.scope_anchor_group_id || g.scope_anchor_group_path) {
      refs.push({ spaceId: g.space_id ?? actorSpaceId, id: g.scope_anchor_group_id, path: g.scope_anchor_group_path, field: `grants[${i}].scope_anchor_group_id` });
    }
  });
  return refs;
}

/**
 * A group named inline: the stored group when the id (or the space and path) exists, so its space
 * and path are facts; otherwise a group synthesised from what the caller said.
 */
export function resolveInlineGroup(ref: GroupRef, stored: StoredGroups): GroupSnapshot {
  if (ref.path !== undefined && !GROUP_PATH.test(ref.path)) throw invalid(ref.field.replace(/_id$/, '_path'), 'is not a valid group path');
  const byId = ref.id ? stored.byId(ref.id) : undefined;
  if (byId) {
    if (ref.path !== undefined && ref.path !== byId.path) throw invalid(ref.field.replace(/_id$/, '_path'), `does not match the stored group ${byId.id} (${byId.path})`);
    return byId;
  }
  if (!ref.id && ref.path) {
    const byPath = stored.byPath(ref.spaceId, ref.path);
    if (byPath) return byPath;
  }
  const path = ref.path ?? ref.id!;
  return { id: ref.id ?? inlineGroupId(ref.spaceId, path), space_id: ref.spaceId, path, status: 'active' };
}

export interface ActorIds {
  user_id: string;
  member_id: string;
  user_member_id: string;
  space_id: string;
}

/** The four ids every named actor needs (`binding_id` standing in for `user_member_id`); 400 otherwise. */
export function requireActorIds(actor: AuthzActorDto): ActorIds {
  if (actor.user_member_id && actor.binding_id && actor.user_member_id !== actor.binding_id) {
    throw ApiError.validation('actor.user_member_id and actor.binding_id name different bindings.', [{ field: 'actor.binding_id', message: 'must equal actor.user_member_id' }]);
  }
  const ids = { user_id: actor.user_id, member_id: actor.member_id, user_member_id: actor.user_member_id ?? actor.binding_id, space_id: actor.space_id };
  const missing = Object.entries(ids).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) {
    throw ApiError.validation('actor needs user_id, member_id, user_member_id (or binding_id) and space_id.', missing.map((k) => ({ field: `actor.${k}`, message: `${k} is required` })));
  }
  return ids as ActorIds;
}

/** The actor described inline; statuses default to active (reference §3.5 Context Mode). */
export function inlineActor(actor: AuthzActorDto): ActorSnapshot {
  const ids = requireActorIds(actor);
  return {
    user: { id: ids.user_id, email: actor.user_email ?? null, status: actor.user_status ?? 'active' },
    member: { id: ids.member_id, space_id: ids.space_id, display_name: actor.member_display_name ?? ids.member_id, status: actor.member_status ?? 'active' },
    user_member: {
      id: ids.user_member_id, user_id: ids.user_id, member_id: ids.member_id, space_id: ids.space_id, relation_type: actor.relation_type ?? 'external',
      status: actor.binding_status ?? 'active', is_primary: true, expires_at: null,
    },
    space: { id: ids.space_id, name: actor.space_name ?? ids.space_id, status: actor.space_status ?? 'active' },
  };
}

/** A proposed target that is not stored (yet). */
export function inlineTarget(resource: AuthzResourceDto, question: AuthzQuestion, stored: StoredGroups): TargetSnapshot {
  if (!resource.space_id) throw invalid('resource.space_id', 'is required for a proposed target');
  if (resource.metadata !== undefined) {
    const problems = governedJsonProblems(resource.metadata);
    if (problems.length) throw ApiError.validation(`resource.metadata ${problems[0]}.`, problems.map((message) => ({ field: 'resource.metadata', message })));
  }
  const group = resource.group_id || resource.group_path
    ? resolveInlineGroup({ spaceId: resource.space_id, id: resource.group_id, path: resource.group_path, field: 'resource.group_id' }, stored)
    : null;
  return {
    resource: {
      id: resource.id ?? resource.external_id ?? question.resource_id,
      external_id: resource.external_id ?? resource.id ?? null,
      type: question.resource_type,
      space_id: resource.space_id,
      group_id: group?.id ?? null,
      group_path: group?.path ?? null,
      owner_member_id: resource.owner_member_id ?? null,
      display_name: resource.display_name ?? null,
      visibility: resource.visibility ?? null,
      status: resource.status ?? 'active',
      proposed: true,
    },
    group,
  };
}

export interface InlineGrant {
  candidate: Candidate;
  /** False for a grant of another resource type or action: named (so scope-checked), but not a candidate. */
  applies: boolean;
}

/** Inline grants as candidates, each in its space (default: the actor's) with its anchor resolved. */
export function inlineGrants(grants: AuthzGrantDto[], question: AuthzQuestion, stored: StoredGroups): InlineGrant[] {
  return grants.map((g, i) => {
    const resource = g.resource ?? question.resource_type;
    const action = g.action ?? question.action;
    const spaceId = g.space_id ?? question.space_id;
    const anchor = g.scope_anchor_group_id || g.scope_anchor_group_path
      ? resolveInlineGroup({ spaceId, id: g.scope_anchor_group_id, path: g.scope_anchor_group_path, field: `grants[${i}].scope_anchor_group_id` }, stored)
      : null;
    const roleKey = g.role_key ?? 'inline';
    return {
      applies: resource === question.resource_type && action === question.action,
      candidate: {
        role: { id: g.role_id ?? `role_inline_${token(roleKey)}`, key: roleKey, space_id: spaceId },
        permission: { id: g.permission_id ?? `perm_inline_${token(`${resource}_${action}_${g.scope}`)}`, resource, action, scope: g.scope },
        scope_anchor: anchor,
        member_role_id: null,
        member_role_space_id: spaceId,
      },
    };
  });
}
