import { ApiModule, reasonBody, seg } from './api-module';
import type {
  AuditLog, AuditLogItem, AuditLogQuery, Group, GroupCreate, GroupPatch, GroupQuery, Member, MemberCreate, MemberPatch, MemberQuery,
  MemberRole, MemberRoleCreate, MemberRoleQuery, PageQuery, Permission, PermissionCreate, PermissionPatch, PermissionQuery, PlystraPage,
  Resource, ResourceAction, ResourceActionUpsert, ResourceCreate, ResourceMapping, ResourceMappingUpsert, ResourcePatch, ResourceQuery,
  ResourceSpaceQuery, ResourceType, ResourceTypeQuery, ResourceTypeUpsert, Role, RoleCreate, RolePatch, RolePermission,
  RolePermissionCreate, RolePermissionQuery, RoleQuery, Space, SpaceCreate, SpacePatch, SpaceQuery, User, UserCreate, UserMember,
  UserMemberCreate, UserMemberPatch, UserMemberQuery, UserPatch, UserQuery,
} from './types';

const space = (spaceId: string) => `/spaces/${seg(spaceId)}`;

export class UsersApi extends ApiModule {
  list(query?: UserQuery): Promise<PlystraPage<User>> {
    return this.httpPage('/users', query);
  }

  create(user: UserCreate): Promise<User> {
    return this.httpPost('/users', user);
  }

  get(userId: string): Promise<User> {
    return this.httpGet(`/users/${seg(userId)}`);
  }

  /** A new password is policy-checked, hashed, and revokes every session of the user. */
  update(userId: string, patch: UserPatch): Promise<User> {
    return this.httpPatch(`/users/${seg(userId)}`, patch);
  }

  disable(userId: string, reason?: string): Promise<User> {
    return this.httpPost(`/users/${seg(userId)}/disable`, reasonBody('reason', reason));
  }

  restore(userId: string, reason?: string): Promise<User> {
    return this.httpPost(`/users/${seg(userId)}/restore`, reasonBody('reason', reason));
  }
}

/** Spaces, plus the lists that live under a space (`groups(spaceId)`, `members(spaceId)`…). */
export class SpacesApi extends ApiModule {
  list(query?: SpaceQuery): Promise<PlystraPage<Space>> {
    return this.httpPage('/spaces', query);
  }

  create(body: SpaceCreate): Promise<Space> {
    return this.httpPost('/spaces', body);
  }

  get(spaceId: string): Promise<Space> {
    return this.httpGet(space(spaceId));
  }

  update(spaceId: string, patch: SpacePatch): Promise<Space> {
    return this.httpPatch(space(spaceId), patch);
  }

  disable(spaceId: string, reason?: string): Promise<Space> {
    return this.httpPost(`${space(spaceId)}/disable`, reasonBody('reason', reason));
  }

  restore(spaceId: string, reason?: string): Promise<Space> {
    return this.httpPost(`${space(spaceId)}/restore`, reasonBody('reason', reason));
  }

  groups(spaceId: string, query?: GroupQuery): Promise<PlystraPage<Group>> {
    return this.httpPage(`${space(spaceId)}/groups`, query);
  }

  /** The whole tree as a flat list ordered by path. */
  groupTree(spaceId: string, query?: PageQuery): Promise<PlystraPage<Group>> {
    return this.httpPage(`${space(spaceId)}/groups/tree`, query);
  }

  members(spaceId: string, query?: MemberQuery): Promise<PlystraPage<Member>> {
    return this.httpPage(`${space(spaceId)}/members`, query);
  }

  userMembers(spaceId: string, query?: UserMemberQuery): Promise<PlystraPage<UserMember>> {
    return this.httpPage(`${space(spaceId)}/user-members`, query);
  }

  roles(spaceId: string, query?: RoleQuery): Promise<PlystraPage<Role>> {
    return this.httpPage(`${space(spaceId)}/roles`, query);
  }

  memberRoles(spaceId: string, query?: MemberRoleQuery): Promise<PlystraPage<MemberRole>> {
    return this.httpPage(`${space(spaceId)}/member-roles`, query);
  }

  /** Alias route of `memberRoles` (the reference SDKs' name). */
  memberRoleGrants(spaceId: string, query?: MemberRoleQuery): Promise<PlystraPage<MemberRole>> {
    return this.httpPage(`${space(spaceId)}/member-role-grants`, query);
  }

  resources(spaceId: string, query?: ResourceSpaceQuery): Promise<PlystraPage<Resource>> {
    return this.httpPage(`${space(spaceId)}/resources`, query);
  }

  auditLogs(spaceId: string, query?: Omit<AuditLogQuery, 'space_id'>): Promise<PlystraPage<AuditLogItem>> {
    return this.httpPage(`${space(spaceId)}/audit-logs`, query);
  }

  auditLog(spaceId: string, auditLogId: string): Promise<AuditLog> {
    return this.httpGet(`${space(spaceId)}/audit-logs/${seg(auditLogId)}`);
  }
}

export class GroupsApi extends ApiModule {
  list(spaceId: string, query?: GroupQuery): Promise<PlystraPage<Group>> {
    return this.httpPage(`${space(spaceId)}/groups`, query);
  }

  /** The parent must be in the same space, and the child's path must extend the parent's. */
  create(spaceId: string, group: GroupCreate): Promise<Group> {
    return this.httpPost(`${space(spaceId)}/groups`, group);
  }

  get(groupId: string): Promise<Group> {
    return this.httpGet(`/groups/${seg(groupId)}`);
  }

  getInSpace(spaceId: string, groupId: string): Promise<Group> {
    return this.httpGet(`${space(spaceId)}/groups/${seg(groupId)}`);
  }

  update(spaceId: string, groupId: string, patch: GroupPatch): Promise<Group> {
    return this.httpPatch(`${space(spaceId)}/groups/${seg(groupId)}`, patch);
  }

  disable(spaceId: string, groupId: string, reason?: string): Promise<Group> {
    return this.httpPost(`${space(spaceId)}/groups/${seg(groupId)}/disable`, reasonBody('reason', reason));
  }

  tree(spaceId: string, query?: PageQuery): Promise<PlystraPage<Group>> {
    return this.httpPage(`${space(spaceId)}/groups/tree`, query);
  }
}

export class MembersApi extends ApiModule {
  list(spaceId: string, query?: MemberQuery): Promise<PlystraPage<Member>> {
    return this.httpPage(`${space(spaceId)}/members`, query);
  }

  create(spaceId: string, member: MemberCreate): Promise<Member> {
    return this.httpPost(`${space(spaceId)}/members`, member);
  }

  get(memberId: string): Promise<Member> {
    return this.httpGet(`/members/${seg(memberId)}`);
  }

  getInSpace(spaceId: string, memberId: string): Promise<Member> {
    return this.httpGet(`${space(spaceId)}/members/${seg(memberId)}`);
  }

  update(spaceId: string, memberId: string, patch: MemberPatch): Promise<Member> {
    return this.httpPatch(`${space(spaceId)}/members/${seg(memberId)}`, patch);
  }

  disable(spaceId: string, memberId: string, reason?: string): Promise<Member> {
    return this.httpPost(`${space(spaceId)}/members/${seg(memberId)}/disable`, reasonBody('reason', reason));
  }
}

/** Bindings that let a login account act as a member. */
export class UserMembersApi extends ApiModule {
  list(spaceId: string, query?: UserMemberQuery): Promise<PlystraPage<UserMember>> {
    return this.httpPage(`${space(spaceId)}/user-members`, query);
  }

  create(spaceId: string, binding: UserMemberCreate): Promise<UserMember> {
    return this.httpPost(`${space(spaceId)}/user-members`, binding);
  }

  get(userMemberId: string): Promise<UserMember> {
    return this.httpGet(`/user-members/${seg(userMemberId)}`);
  }

  getInSpace(spaceId: string, userMemberId: string): Promise<UserMember> {
    return this.httpGet(`${space(spaceId)}/user-members/${seg(userMemberId)}`);
  }

  update(spaceId: string, userMemberId: string, patch: UserMemberPatch): Promise<UserMember> {
    return this.httpPatch(`${space(spaceId)}/user-members/${seg(userMemberId)}`, patch);
  }

  revoke(spaceId: string, userMemberId: string, reason?: string): Promise<UserMember> {
    return this.httpPost(`${space(spaceId)}/user-members/${seg(userMemberId)}/revoke`, reasonBody('revoked_reason', reason));
  }
}

export class RolesApi extends ApiModule {
  list(spaceId: string, query?: RoleQuery): Promise<PlystraPage<Role>> {
    return this.httpPage(`${space(spaceId)}/roles`, query);
  }

  create(spaceId: string, role: RoleCreate): Promise<Role> {
    return this.httpPost(`${space(spaceId)}/roles`, role);
  }

  get(roleId: string): Promise<Role> {
    return this.httpGet(`/roles/${seg(roleId)}`);
  }

  getInSpace(spaceId: string, roleId: string): Promise<Role> {
    return this.httpGet(`${space(spaceId)}/roles/${seg(roleId)}`);
  }

  update(spaceId: string, roleId: string, patch: RolePatch): Promise<Role> {
    return this.httpPatch(`${space(spaceId)}/roles/${seg(roleId)}`, patch);
  }

  disable(spaceId: string, roleId: string, reason?: string): Promise<Role> {
    return this.httpPost(`${space(spaceId)}/roles/${seg(roleId)}/disable`, reasonBody('reason', reason));
  }
}

/** Role grants (`/spaces/{id}/member-roles`): member, role and anchor group in one space. */
export class MemberRolesApi extends ApiModule {
  list(spaceId: string, query?: MemberRoleQuery): Promise<PlystraPage<MemberRole>> {
    return this.httpPage(`${space(spaceId)}/member-roles`, query);
  }

  create(spaceId: string, grant: MemberRoleCreate): Promise<MemberRole> {
    return this.httpPost(`${space(spaceId)}/member-roles`, grant);
  }

  get(spaceId: string, memberRoleId: string): Promise<MemberRole> {
    return this.httpGet(`${space(spaceId)}/member-roles/${seg(memberRoleId)}`);
  }

  revoke(spaceId: string, memberRoleId: string, reason?: string): Promise<MemberRole> {
    return this.httpPost(`${space(spaceId)}/member-roles/${seg(memberRoleId)}/revoke`, reasonBody('revoked_reason', reason));
  }
}

/** The global permission catalogue (`resource:action:scope`). */
export class PermissionsApi extends ApiModule {
  list(query?: PermissionQuery): Promise<PlystraPage<Permission>> {
    return this.httpPage('/permissions', query);
  }

  create(permission: PermissionCreate): Promise<Permission> {
    return this.httpPost('/permissions', permission);
  }

  get(permissionId: string): Promise<Permission> {
    return this.httpGet(`/permissions/${seg(permissionId)}`);
  }

  update(permissionId: string, patch: PermissionPatch): Promise<Permission> {
    return this.httpPatch(`/permissions/${seg(permissionId)}`, patch);
  }

  disable(permissionId: string, reason?: string): Promise<Permission> {
    return this.httpPost(`/permissions/${seg(permissionId)}/disable`, reasonBody('reason', reason));
  }
}

export class RolePermissionsApi extends ApiModule {
  list(query?: RolePermissionQuery): Promise<PlystraPage<RolePermission>> {
    return this.httpPage('/role-permissions', query);
  }

  /** Re-creating a revoked pair revives it. */
  create(link: RolePermissionCreate): Promise<RolePermission> {
    return this.httpPost('/role-permissions', link);
  }

  get(rolePermissionId: string): Promise<RolePermission> {
    return this.httpGet(`/role-permissions/${seg(rolePermissionId)}`);
  }

  /** `DELETE`: a soft revoke. */
  revoke(rolePermissionId: string): Promise<RolePermission> {
    return this.httpDelete(`/role-permissions/${seg(rolePermissionId)}`);
  }
}

/** The registry of resource types, their actions and their storage mapping. */
export class ResourceTypesApi extends ApiModule {
  list(query?: ResourceTypeQuery): Promise<PlystraPage<ResourceType>> {
    return this.httpPage('/resource-types', query);
  }

  /** Creates the type, or updates the fields sent when the key exists. */
  upsert(type: ResourceTypeUpsert): Promise<ResourceType> {
    return this.httpPost('/resource-types', type);
  }

  get(key: string): Promise<ResourceType> {
    return this.httpGet(`/resource-types/${seg(key)}`);
  }

  actions(key: string, query?: PageQuery): Promise<PlystraPage<ResourceAction>> {
    return this.httpPage(`/resource-types/${seg(key)}/actions`, query);
  }

  upsertAction(key: string, action: ResourceActionUpsert): Promise<ResourceAction> {
    return this.httpPost(`/resource-types/${seg(key)}/actions`, action);
  }

  mapping(key: string): Promise<ResourceMapping> {
    return this.httpGet(`/resource-types/${seg(key)}/mapping`);
  }

  upsertMapping(key: string, mapping: ResourceMappingUpsert): Promise<ResourceMapping> {
    return this.httpPut(`/resource-types/${seg(key)}/mapping`, mapping);
  }
}

/** The mirror of governed resources that checks read. */
export class ResourcesApi extends ApiModule {
  list(query?: ResourceQuery): Promise<PlystraPage<Resource>> {
    return this.httpPage('/resources', query);
  }

  /** `space_id` is required here. */
  create(resource: ResourceCreate): Promise<Resource> {
    return this.httpPost('/resources', resource);
  }

  createInSpace(spaceId: string, resource: ResourceCreate): Promise<Resource> {
    return this.httpPost(`${space(spaceId)}/resources`, resource);
  }

  get(resourceType: string, resourceId: string): Promise<Resource> {
    return this.httpGet(`/resources/${seg(resourceType)}/${seg(resourceId)}`);
  }

  getInSpace(spaceId: string, resourceId: string): Promise<Resource> {
    return this.httpGet(`${space(spaceId)}/resources/${seg(resourceId)}`);
  }

  listInSpace(spaceId: string, query?: ResourceSpaceQuery): Promise<PlystraPage<Resource>> {
    return this.httpPage(`${space(spaceId)}/resources`, query);
  }

  update(spaceId: string, resourceId: string, patch: ResourcePatch): Promise<Resource> {
    return this.httpPatch(`${space(spaceId)}/resources/${seg(resourceId)}`, patch);
  }

  archive(spaceId: string, resourceId: string, reason?: string): Promise<Resource> {
    return this.httpPost(`${space(spaceId)}/resources/${seg(resourceId)}/archive`, reasonBody('reason', reason));
  }
}
