/**
 * Request and response shapes of the Plystra HTTP API, exactly as they travel (snake_case JSON).
 * Timestamps are RFC 3339 strings. `Metadata` is governed JSON (at most 16 KiB, no secret-looking
 * keys). Fields the server may add later are tolerated: these are the fields the SDK relies on.
 */

export type Metadata = Record<string, unknown>;
export type Timestamp = string;

// ---------------------------------------------------------------------------------------------
// Envelope and pagination

export interface Pagination {
  limit: number;
  /** Opaque; pass it back as `cursor` for the next page. Null on the last page. */
  cursor: string | null;
  has_more: boolean;
}

/** `?limit=1..200&cursor=…` (default 50). */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** One page of a list answer. */
export interface PlystraPage<T> {
  data: T[];
  pagination: Pagination;
  request_id: string | null;
}

// ---------------------------------------------------------------------------------------------
// System

export interface HealthStatus {
  status: string;
}

export interface ReadyStatus {
  status: string;
  schema_version: string | null;
  expected_schema_version: string | null;
  trace_version: string;
}

export interface VersionInfo {
  core_version: string;
  api_version: string;
  schema_version: string | null;
  expected_schema_version: string | null;
  trace_version: string;
}

// ---------------------------------------------------------------------------------------------
// Sessions, login, actor

export interface Actor {
  user_id: string;
  member_id: string;
  user_member_id: string;
  space_id: string;
}

export interface AvailableMember {
  user_member_id: string;
  user_id: string;
  user_email: string;
  member_id: string;
  member_display_name: string;
  space_id: string;
  space_name: string;
  relation_type: string;
  is_primary: boolean;
}

/** `POST /auth/refresh`: both tokens rotate. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_at: Timestamp;
  refresh_expires_at: Timestamp;
}

/** `POST /auth/login` (Core and the auth plugin). */
export interface LoginBundle extends TokenPair {
  user: { id: string; email: string; status: string };
  actor: Actor;
  available_members: AvailableMember[];
}

export interface LoginRequest {
  email: string;
  password: string;
}

/** `POST /auth/register` on Core (protected registration, core.md §6.1). */
export interface CoreRegisterRequest {
  email: string;
  password: string;
  username?: string;
  phone?: string;
  space_name?: string;
  space_slug?: string;
  member_display_name?: string;
  registration_token?: string;
  metadata?: Metadata;
}

/** Core's registration answer: a login bundle, or (public user-only mode) the user without tokens. */
export type CoreRegisterResult =
  | (LoginBundle & { bootstrap_super_admin: boolean; bootstrap_admin_grant_id?: string | null; registration_mode?: string; user_only?: false })
  | {
      user: { id: string; email: string; status: string };
      actor: null;
      available_members: [];
      bootstrap_super_admin: false;
      registration_mode: string;
      user_only: true;
      registration_requires_approval: boolean;
    };

export interface LogoutResult {
  logged_out: true;
}

/** `POST /auth/password` (session bearer): the new password meets the registration policy. */
export interface PasswordChangeRequest {
  current_password: string;
  new_password: string;
}

/** Every other session of the user ended; the calling session stays. */
export interface PasswordChangeResult {
  password_changed: true;
  password_changed_at: Timestamp;
  other_sessions_revoked: number;
}

/** One of the signed-in user's active sessions (`GET /auth/sessions`, newest first, at most 100). Never a token. */
export interface SessionInfo {
  id: string;
  created_at: Timestamp;
  refreshed_at: Timestamp | null;
  expires_at: Timestamp;
  refresh_expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
  /** The session of the access token that asked. */
  current: boolean;
}

/** `POST /auth/sessions/{id}/revoke`. */
export interface SessionRevokeResult {
  revoked: true;
  session_id: string;
  current: boolean;
}

export interface ActorContext {
  session_id: string;
  actor: Actor;
  available_members: AvailableMember[];
  expires_at: Timestamp;
}

export interface SwitchMemberRequest {
  member_id?: string;
  user_member_id?: string;
}

export interface SwitchMemberResult {
  actor: Actor;
  available_members: AvailableMember[];
}

/** What `onTokenChange` reports and `tokens()` returns (SDK-side state, camelCase). */
export interface PlystraTokens {
  accessToken: string | null;
  refreshToken: string | null;
  /** When the access token expires (RFC 3339), when known. */
  expiresAt?: Timestamp | null;
  refreshExpiresAt?: Timestamp | null;
}

// ---------------------------------------------------------------------------------------------
// Authorization check

export type DenyCode =
  | 'ACTOR_USER_INACTIVE'
  | 'ACTOR_MEMBER_INACTIVE'
  | 'USER_MEMBER_REVOKED'
  | 'USER_MEMBER_EXPIRED'
  | 'SPACE_INACTIVE'
  | 'CROSS_SPACE_VIOLATION'
  | 'NO_MATCHING_PERMISSION'
  | 'SCOPE_ANCHOR_MISSING'
  | 'TARGET_GROUP_MISSING'
  | 'SCOPE_OUT_OF_BOUNDS'
  | 'GLOBAL_SCOPE_DISABLED'
  | 'INVALID_RESOURCE_TYPE'
  | 'INVALID_RESOURCE_ACTION';

export type PermissionScope = 'self' | 'group' | 'group_tree' | 'space' | 'global';

/**
 * Who acts. API-key callers must name the actor; session callers may leave it out (the session's
 * active actor) or name one of their own bindings. `binding_id` is an alias of `user_member_id`;
 * the descriptive fields are Context Mode (API keys only).
 */
export interface AuthzActor {
  user_id?: string;
  member_id?: string;
  user_member_id?: string;
  binding_id?: string;
  space_id?: string;
  user_email?: string;
  user_status?: string;
  member_display_name?: string;
  member_status?: string;
  binding_status?: string;
  relation_type?: string;
  space_name?: string;
  space_status?: string;
}

/** A proposed target not stored yet (Context Mode, API keys only). */
export interface AuthzResourceContext {
  type?: string;
  id?: string;
  external_id?: string;
  space_id?: string;
  group_id?: string;
  group_path?: string;
  owner_member_id?: string;
  display_name?: string;
  visibility?: string;
  status?: string;
  metadata?: Metadata;
}

/** A grant given inline instead of the stored ones (Context Mode, API keys only). */
export interface AuthzGrantContext {
  role_id?: string;
  role_key?: string;
  permission_id?: string;
  resource?: string;
  action?: string;
  scope: PermissionScope;
  space_id?: string;
  scope_anchor_group_id?: string;
  scope_anchor_group_path?: string;
}

/** `POST /authz/check` and `/authz/explain`. `request_id`, `ip` and `user_agent` are derived by the server. */
export interface AuthzCheckRequest {
  actor?: AuthzActor;
  resource_type?: string;
  resource_id?: string;
  action: string;
  resource?: AuthzResourceContext;
  grants?: AuthzGrantContext[];
  explain?: boolean;
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

/** The compact answer of `authz/check`. A deny is a result (`allow: false`), not an error. */
export interface AuthzCheckResult {
  allow: boolean;
  decision: 'allow' | 'deny';
  deny_code: DenyCode | null;
  reason: string;
  trace_id: string;
  audit_log_id: string;
  audit: DecisionAudit;
}

export interface ScopeCheck {
  covered: boolean;
  rule: string;
  reason: string;
  deny_code?: DenyCode;
}

export interface GroupSnapshot {
  id: string;
  space_id: string;
  path: string;
  status: string;
}

export interface MatchedCandidate {
  role: { id: string; key: string; space_id: string };
  permission: { id: string; resource: string; action: string; scope: string };
  scope_anchor: GroupSnapshot | null;
  member_role_id: string | null;
  member_role_space_id: string;
  scope_check: ScopeCheck;
}

/** The whole decision object (`authz/explain`, and the audit row's `trace`), core.md §4.5. */
export interface AuthzDecision {
  trace_version: string;
  trace_id: string;
  decision: 'allow' | 'deny';
  deny_code: DenyCode | null;
  reason: string;
  actor: {
    user: { id: string; email: string | null; status: string };
    member: { id: string; space_id: string; display_name: string; status: string };
    user_member: {
      id: string;
      user_id: string;
      member_id: string;
      space_id: string;
      relation_type: string;
      status: string;
      is_primary: boolean;
      expires_at: Timestamp | null;
    };
    space: { id: string; name: string; status: string };
  };
  space: { id: string; name: string; status: string };
  target: { resource: Record<string, unknown>; group: GroupSnapshot | null } | null;
  resource_registry: { resource_type: Record<string, unknown> | null; action: Record<string, unknown> | null; mapping: Record<string, unknown> | null };
  matched_candidates: MatchedCandidate[];
  request: { request_id: string; ip: string | null; user_agent: string | null; caller?: { type: string; key?: string; user?: string } | null };
  evaluated_at?: Timestamp;
  audit: DecisionAudit;
}

/** `POST /authz/check-batch`: results in the order of the checks; an item asked with `explain` is a whole decision. */
export interface AuthzBatchResult {
  results: Array<AuthzCheckResult | AuthzDecision>;
}

// ---------------------------------------------------------------------------------------------
// Audit

export interface AuditLogQuery extends PageQuery {
  space_id?: string;
  actor_user_id?: string;
  actor_member_id?: string;
  actor_user_member_id?: string;
  resource_type?: string;
  resource_id?: string;
  decision?: 'allow' | 'deny';
  deny_code?: string;
  request_id?: string;
  created_at_from?: Timestamp;
  created_at_to?: Timestamp;
}

/** An audit row as listed (without its trace). */
export interface AuditLogItem {
  id: string;
  space_id: string | null;
  actor_user_id: string | null;
  actor_member_id: string | null;
  actor_user_member_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string;
  decision: 'allow' | 'deny' | null;
  deny_code: string | null;
  request_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  created_at: Timestamp;
}

/** One audit row with its trace (the decision object for checks). */
export interface AuditLog extends AuditLogItem {
  trace: AuthzDecision | Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Admin grants and API keys

export type GrantLevel = 'instance_super_admin' | 'instance_admin' | 'space_admin' | 'group_admin';

export interface AdminGrant {
  id: string;
  user_id: string;
  member_id: string | null;
  space_id: string | null;
  group_id: string | null;
  level: GrantLevel;
  permission_key: string;
  status: string;
  granted_by_user_id: string | null;
  granted_by_member_id: string | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_by_user_id: string | null;
  revoked_reason: string | null;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AdminGrantCreate {
  id?: string;
  user_id: string;
  member_id?: string;
  space_id?: string;
  group_id?: string;
  level: GrantLevel;
  permission_key: string;
  status?: 'active' | 'disabled';
  expires_at?: Timestamp;
  metadata?: Metadata;
}

export interface AdminGrantQuery extends PageQuery {
  user_id?: string;
  level?: GrantLevel;
  space_id?: string;
  group_id?: string;
  status?: 'active' | 'disabled' | 'revoked';
}

export interface AdminMe {
  credential_type: 'session' | 'api_key';
  session_id?: string;
  user_id: string | null;
  active_space: Record<string, unknown> | null;
  active_member: Record<string, unknown> | null;
  grants: AdminGrant[];
  capabilities: unknown;
  super_admin: boolean;
  api_key?: ApiKey | null;
}

export type ApiKeyLevel = 'instance' | 'space' | 'group';

export interface ApiKey {
  id: string;
  name: string;
  key_prefix: string;
  level: ApiKeyLevel;
  space_id: string | null;
  group_id: string | null;
  permission_keys: string[];
  status: string;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  created_by_user_id: string | null;
  created_by_member_id: string | null;
  created_by_api_key_id: string | null;
  revoked_at: Timestamp | null;
  revoked_by_user_id: string | null;
  revoked_reason: string | null;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The creation answer: the plaintext key, shown once (`api_key`; `key` is the same value). */
export interface ApiKeyCreated extends ApiKey {
  api_key: string;
  key: string;
}

export interface ApiKeyCreate {
  id?: string;
  name: string;
  level: ApiKeyLevel;
  space_id?: string;
  group_id?: string;
  permission_keys: string[];
  status?: 'active' | 'disabled';
  expires_at?: Timestamp;
  metadata?: Metadata;
}

export interface ApiKeyQuery extends PageQuery {
  level?: ApiKeyLevel;
  space_id?: string;
  group_id?: string;
  status?: 'active' | 'disabled' | 'revoked';
}

// ---------------------------------------------------------------------------------------------
// Identity graph

export interface User {
  id: string;
  email: string;
  username: string | null;
  phone: string | null;
  status: string;
  password_changed_at: Timestamp | null;
  last_login_at: Timestamp | null;
  email_verified_at: Timestamp | null;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserCreate {
  id?: string;
  email: string;
  username?: string | null;
  phone?: string | null;
  /** Plaintext; policy-checked and stored only as its hash. */
  password?: string;
  status?: 'active' | 'disabled';
  metadata?: Metadata;
}

export type UserPatch = Partial<Omit<UserCreate, 'id'>>;

export interface UserQuery extends PageQuery {
  status?: 'active' | 'disabled';
  email?: string;
}

export interface Space {
  id: string;
  name: string;
  slug: string | null;
  type: string;
  status: string;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SpaceCreate {
  id?: string;
  name: string;
  slug?: string | null;
  type?: 'custom' | 'default';
  status?: 'active' | 'disabled';
  metadata?: Metadata;
}

export type SpacePatch = Partial<Omit<SpaceCreate, 'id'>>;

export interface SpaceQuery extends PageQuery {
  status?: 'active' | 'disabled';
  type?: 'custom' | 'default';
}

export interface Group {
  id: string;
  space_id: string;
  parent_group_id: string | null;
  name: string;
  display_name: string | null;
  path: string;
  depth: number;
  sort_order: number;
  status: string;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupCreate {
  id?: string;
  /** `finance.apac`; immutable after create. */
  path: string;
  parent_group_id?: string | null;
  name?: string;
  display_name?: string | null;
  sort_order?: number;
  status?: 'active' | 'disabled';
  metadata?: Metadata;
}

export interface GroupPatch {
  name?: string;
  display_name?: string | null;
  sort_order?: number;
  status?: 'active' | 'disabled';
  metadata?: Metadata;
}

export interface GroupQuery extends PageQuery {
  status?: 'active' | 'disabled';
  parent_group_id?: string;
}

export interface Member {
  id: string;
  space_id: string;
  display_name: string;
  member_type: string;
  status: string;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MemberCreate {
  id?: string;
  display_name: string;
  member_type?: string;
  status?: 'active' | 'disabled';
  metadata?: Metadata;
}

export type MemberPatch = Partial<Omit<MemberCreate, 'id'>>;

export interface MemberQuery extends PageQuery {
  status?: 'active' | 'disabled';
  member_type?: string;
}

export interface UserMember {
  id: string;
  user_id: string;
  email: string;
  member_id: string;
  member_display_name: string;
  space_id: string;
  relation_type: string;
  status: string;
  is_primary: boolean;
  expires_at: Timestamp | null;
  linked_by_member_id: string | null;
  linked_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserMemberCreate {
  id?: string;
  user_id: string;
  member_id: string;
  relation_type: string;
  status?: 'active' | 'revoked';
  is_primary?: boolean;
  expires_at?: Timestamp | null;
  linked_by_member_id?: string | null;
  linked_at?: Timestamp | null;
  revoked_reason?: string | null;
  metadata?: Metadata;
}

export type UserMemberPatch = Partial<Omit<UserMemberCreate, 'id' | 'user_id' | 'member_id' | 'linked_at'>>;

export interface UserMemberQuery extends PageQuery {
  user_id?: string;
  member_id?: string;
  status?: 'active' | 'revoked';
  relation_type?: string;
}

export interface Role {
  id: string;
  space_id: string;
  key: string;
  name: string;
  description: string | null;
  status: string;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RoleCreate {
  id?: string;
  key: string;
  name?: string;
  description?: string | null;
  status?: 'active' | 'disabled';
  metadata?: Metadata;
}

export type RolePatch = Partial<Omit<RoleCreate, 'id' | 'key'>>;

export interface RoleQuery extends PageQuery {
  status?: 'active' | 'disabled';
  key?: string;
}

export interface MemberRole {
  id: string;
  member_id: string;
  member_display_name: string;
  role_id: string;
  role_key: string;
  role_name: string;
  space_id: string;
  scope_anchor_group_id: string | null;
  scope_anchor_path: string | null;
  status: string;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MemberRoleCreate {
  id?: string;
  member_id: string;
  role_id: string;
  scope_anchor_group_id?: string | null;
  status?: 'active' | 'revoked';
  metadata?: Metadata;
}

export interface MemberRoleQuery extends PageQuery {
  member_id?: string;
  role_id?: string;
  status?: 'active' | 'revoked';
}

export interface Permission {
  id: string;
  resource: string;
  action: string;
  scope: PermissionScope;
  description: string | null;
  status: string;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PermissionCreate {
  id?: string;
  resource: string;
  action: string;
  scope: PermissionScope;
  description?: string | null;
  status?: 'active' | 'disabled';
  metadata?: Metadata;
}

export interface PermissionPatch {
  description?: string | null;
  status?: 'active' | 'disabled';
  metadata?: Metadata;
}

export interface PermissionQuery extends PageQuery {
  resource?: string;
  action?: string;
  scope?: PermissionScope;
  status?: 'active' | 'disabled';
}

export interface RolePermission {
  id: string;
  role_id: string;
  space_id: string;
  role_key: string;
  permission_id: string;
  resource: string;
  action: string;
  scope: PermissionScope;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RolePermissionCreate {
  id?: string;
  role_id: string;
  permission_id: string;
  metadata?: Metadata;
}

export interface RolePermissionQuery extends PageQuery {
  role_id?: string;
  permission_id?: string;
  space_id?: string;
}

// ---------------------------------------------------------------------------------------------
// Registry and resources

export interface ResourceType {
  id: string;
  key: string;
  display_name: string;
  description: string | null;
  status: string;
  source: string;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResourceTypeUpsert {
  id?: string;
  key: string;
  display_name: string;
  description?: string | null;
  status?: 'active' | 'disabled';
  source?: string;
  metadata?: Metadata;
}

export interface ResourceTypeQuery extends PageQuery {
  status?: 'active' | 'disabled';
  source?: string;
}

export interface ResourceAction {
  id: string;
  resource_type_id: string;
  resource_type_key: string;
  key: string;
  display_name: string;
  description: string | null;
  risk_level: 'normal' | 'high' | 'critical';
  audit_default: boolean;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResourceActionUpsert {
  id?: string;
  key: string;
  display_name: string;
  description?: string | null;
  risk_level?: 'normal' | 'high' | 'critical';
  audit_default?: boolean;
  metadata?: Metadata;
}

export interface ResourceMapping {
  id: string;
  resource_type_id: string;
  resource_type_key: string;
  storage_kind: string;
  table_name: string | null;
  id_field: string;
  space_field: string;
  group_field: string | null;
  owner_member_field: string | null;
  visibility_field: string | null;
  metadata_field: string | null;
  status: string;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResourceMappingUpsert {
  id?: string;
  storage_kind?: string;
  table_name?: string | null;
  id_field?: string;
  space_field?: string;
  group_field?: string | null;
  owner_member_field?: string | null;
  visibility_field?: string | null;
  metadata_field?: string | null;
  status?: 'active' | 'disabled';
  metadata?: Metadata;
}

export interface Resource {
  id: string;
  resource_type: string;
  external_id: string | null;
  space_id: string;
  space_name: string;
  group_id: string | null;
  group_path: string | null;
  owner_member_id: string | null;
  owner_member_display_name: string | null;
  display_name: string | null;
  visibility: string;
  status: string;
  metadata: Metadata;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ResourceCreate {
  id?: string;
  resource_type: string;
  /** Required on `resources.create`; on `createInSpace` it may be left out. */
  space_id?: string;
  external_id?: string | null;
  group_id?: string | null;
  owner_member_id?: string | null;
  display_name?: string | null;
  visibility?: string;
  status?: 'active' | 'archived';
  metadata?: Metadata;
}

export type ResourcePatch = Partial<Omit<ResourceCreate, 'id' | 'resource_type' | 'space_id'>>;

export interface ResourceQuery extends PageQuery {
  space_id?: string;
  resource_type?: string;
  status?: 'active' | 'archived';
  group_id?: string;
  owner_member_id?: string;
}

export type ResourceSpaceQuery = Omit<ResourceQuery, 'space_id'>;

/** `GET /console/overview`. */
export interface ConsoleOverview {
  counts: Record<string, number>;
  recent_audit_logs: AuditLogItem[];
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Complete Auth plugin

export interface CompleteAuthRegisterRequest {
  email: string;
  password: string;
  username?: string;
  member_display_name?: string;
  metadata?: Metadata;
}

export interface EmailCodeRequest {
  email: string;
  metadata?: Metadata;
}

export interface EmailCodeVerifyRequest {
  email: string;
  /** Exactly six ASCII digits. */
  code: string;
}

export interface MagicLinkRequest {
  email: string;
  /** HTTPS, on an allowed origin. */
  redirect_url?: string;
  metadata?: Metadata;
}

export interface MagicLinkConsumeRequest {
  token: string;
}

/** 202 answer of `email-code` and `magic-link`: the same whether or not the account exists. */
export interface ChallengeAccepted {
  accepted: true;
  expires_at: Timestamp;
  delivery_method: 'email_code' | 'magic_link';
  email_delivery_mode: 'log' | 'capability';
}

export interface PluginHealth {
  status: string;
  mode: string;
  checks: Record<string, { ok: boolean; [key: string]: unknown }>;
}
