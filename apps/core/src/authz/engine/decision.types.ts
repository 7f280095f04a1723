/** The 13 deny codes of an authorization decision (core.md §4.2), exactly. */
export const DENY_CODES = [
  'ACTOR_USER_INACTIVE',
  'ACTOR_MEMBER_INACTIVE',
  'USER_MEMBER_REVOKED',
  'USER_MEMBER_EXPIRED',
  'SPACE_INACTIVE',
  'CROSS_SPACE_VIOLATION',
  'NO_MATCHING_PERMISSION',
  'SCOPE_ANCHOR_MISSING',
  'TARGET_GROUP_MISSING',
  'SCOPE_OUT_OF_BOUNDS',
  'GLOBAL_SCOPE_DISABLED',
  'INVALID_RESOURCE_TYPE',
  'INVALID_RESOURCE_ACTION',
] as const;
export type DenyCode = (typeof DENY_CODES)[number];

export const PERMISSION_SCOPES = ['self', 'group', 'group_tree', 'space', 'global'] as const;
export type PermissionScope = (typeof PERMISSION_SCOPES)[number];

export const TRACE_VERSION = '1.0';

export interface UserSnapshot {
  id: string;
  email: string | null;
  status: string;
}

export interface MemberSnapshot {
  id: string;
  space_id: string;
  display_name: string;
  status: string;
}

export interface UserMemberSnapshot {
  id: string;
  user_id: string;
  member_id: string;
  space_id: string;
  relation_type: string;
  status: string;
  is_primary: boolean;
  /** RFC 3339 UTC, or null when the binding never expires. */
  expires_at: string | null;
}

export interface SpaceSnapshot {
  id: string;
  name: string;
  status: string;
}

export interface ActorSnapshot {
  user: UserSnapshot;
  member: MemberSnapshot;
  user_member: UserMemberSnapshot;
  space: SpaceSnapshot;
}

export interface GroupSnapshot {
  id: string;
  space_id: string;
  path: string;
  status: string;
}

export interface ResourceSnapshot {
  id: string;
  external_id: string | null;
  type: string;
  space_id: string;
  group_id: string | null;
  group_path: string | null;
  owner_member_id: string | null;
  display_name: string | null;
  visibility: string | null;
  status: string | null;
  /** True when the target was proposed inline (Context Mode) rather than read from the mirror. */
  proposed: boolean;
}

export interface TargetSnapshot {
  resource: ResourceSnapshot;
  group: GroupSnapshot | null;
}

export interface ResourceTypeSnapshot {
  id: string;
  key: string;
  display_name: string;
  description: string | null;
  status: string;
  source: string;
}

export interface ResourceActionSnapshot {
  id: string;
  resource_type_id: string;
  key: string;
  display_name: string;
  description: string | null;
  risk_level: string;
  audit_default: boolean;
}

export interface ResourceMappingSnapshot {
  id: string;
  resource_type_id: string;
  storage_kind: string;
  table_name: string | null;
  id_field: string;
  space_field: string;
  group_field: string | null;
  owner_member_field: string | null;
  visibility_field: string | null;
  metadata_field: string | null;
  status: string;
}

export interface RegistrySnapshot {
  resource_type: ResourceTypeSnapshot | null;
  action: ResourceActionSnapshot | null;
  mapping: ResourceMappingSnapshot | null;
}

/** One (member-role × role × role-permission × permission) row that may grant the action. */
export interface Candidate {
  role: { id: string; key: string; space_id: string };
  permission: { id: string; resource: string; action: string; scope: string };
  scope_anchor: GroupSnapshot | null;
  member_role_id: string | null;
  member_role_space_id: string;
}

export interface ScopeCheck {
  covered: boolean;
  rule: string;
  reason: string;
  deny_code?: DenyCode;
}

export interface MatchedCandidate extends Candidate {
  scope_check: ScopeCheck;
}

/** What was asked, after actor resolution and normalisation. */
export interface AuthzQuestion {
  user_id: string;
  member_id: string;
  user_member_id: string;
  space_id: string;
  resource_type: string;
  resource_id: string;
  action: string;
}

/** Server-derived request facts (never taken from the body). */
export interface RequestFacts {
  request_id: string;
  ip: string | null;
  user_agent: string | null;
  /** Which credential asked: `{type:'api_key', key}` or `{type:'session', user}`. */
  caller: { type: string; key?: string; user?: string } | null;
}

export interface DecisionAudit {
  audit_log_id: string;
  actor_user_id: string;
  actor_member_id: string;
  actor_user_member_id: string;
  space_id: string;
  action: string;
  resource_type: string;
  resource_id: string;
  decision: 'allow' | 'deny';
  deny_code: DenyCode | null;
  request_id: string;
}

/** The decision object of core.md §4.5 (and the audit row's trace). */
export interface Decision {
  trace_version: string;
  trace_id: string;
  decision: 'allow' | 'deny';
  deny_code: DenyCode | null;
  reason: string;
  actor: ActorSnapshot;
  space: SpaceSnapshot;
  target: TargetSnapshot | null;
  resource_registry: RegistrySnapshot;
  matched_candidates: MatchedCandidate[];
  request: RequestFacts;
  evaluated_at: string;
  audit: DecisionAudit;
}

/** Everything the engine needs; it reads nothing else (no clock, no database). */
export interface EngineInput {
  traceId: string;
  question: AuthzQuestion;
  actor: ActorSnapshot;
  registry: RegistrySnapshot;
  /** Null only when the registry already refuses the question. */
  target: TargetSnapshot | null;
  candidates: Candidate[];
  request: RequestFacts;
  now: Date;
}
