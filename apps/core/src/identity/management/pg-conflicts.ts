import { PG_CHECK_VIOLATION, PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorInfo } from '@plystra/db';
import { ApiError, type EntityName } from '@plystra/http';

const ENTITY_OF_TABLE: Record<string, EntityName> = {
  users: 'USER', spaces: 'SPACE', groups: 'GROUP', members: 'MEMBER', user_members: 'USER_MEMBER', roles: 'ROLE',
  member_roles: 'MEMBER_ROLE', permissions: 'PERMISSION', role_permissions: 'ROLE_PERMISSION', resource_types: 'RESOURCE_TYPE',
  resource_actions: 'RESOURCE_ACTION', resource_mappings: 'RESOURCE_MAPPING', resources: 'RESOURCE',
};

const UNIQUE_MESSAGES: Record<string, string> = {
  users_email_key: 'A user with this email already exists.',
  spaces_slug_key: 'A space with this slug already exists.',
  groups_space_path_key: 'A group with this path already exists in the space.',
  roles_space_key_key: 'A role with this key already exists in the space.',
  permissions_resource_action_scope_key: 'A permission with this resource, action and scope already exists.',
  member_roles_member_role_anchor_key: 'This member already holds this role at this anchor.',
  role_permissions_role_permission_key: 'This role already has this permission.',
  resource_types_key_key: 'A resource type with this key already exists.',
  resource_actions_type_key_key: 'This resource type already has an action with this key.',
  resource_mappings_resource_type_id_key: 'This resource type already has a mapping.',
};

/** Foreign keys, named by the entity the missing (or other-space) reference should have been. */
const REFERENCE_OF_FK: Record<string, EntityName> = {
  groups_space_id_fkey: 'SPACE', groups_parent_same_space_fk: 'GROUP',
  members_space_id_fkey: 'SPACE',
  user_members_user_id_fkey: 'USER', user_members_member_same_space_fk: 'MEMBER', user_members_linked_by_same_space_fk: 'MEMBER',
  roles_space_id_fkey: 'SPACE',
  member_roles_space_id_fkey: 'SPACE', member_roles_member_same_space_fk: 'MEMBER', member_roles_role_same_space_fk: 'ROLE',
  member_roles_anchor_same_space_fk: 'GROUP',
  role_permissions_role_id_fkey: 'ROLE', role_permissions_permission_id_fkey: 'PERMISSION',
  resource_actions_resource_type_id_fkey: 'RESOURCE_TYPE', resource_mappings_resource_type_id_fkey: 'RESOURCE_TYPE',
  resources_resource_type_fkey: 'RESOURCE_TYPE', resources_space_id_fkey: 'SPACE', resources_group_same_space_fk: 'GROUP',
  resources_owner_same_space_fk: 'MEMBER',
};

/**
 * The entity-specific answer to a constraint the database enforced (usually a race the service's
 * own checks could not see): a unique violation is `<ENTITY>_CONFLICT`, a missing or other-space
 * reference `<ENTITY>_NOT_FOUND`. Null when the error is not one of these.
 */
export function managementPgError(error: unknown): ApiError | null {
  const pg = pgErrorInfo(error);
  if (!pg) return null;
  if (pg.code === PG_UNIQUE_VIOLATION) {
    const entity = pg.table ? ENTITY_OF_TABLE[pg.table] : undefined;
    if (!entity) return null;
    const message = (pg.constraint && UNIQUE_MESSAGES[pg.constraint]) ?? `A ${entity.toLowerCase().replace(/_/g, ' ')} with this id already exists.`;
    return ApiError.conflict(`${entity}_CONFLICT`, message);
  }
  if (pg.code === PG_FOREIGN_KEY_VIOLATION) {
    const entity = pg.constraint ? REFERENCE_OF_FK[pg.constraint] : undefined;
    if (!entity) return null;
    return new ApiError(404, `${entity}_NOT_FOUND`, `The referenced ${entity.toLowerCase().replace(/_/g, ' ')} does not exist in this space.`);
  }
  if (pg.code === PG_CHECK_VIOLATION && pg.constraint === 'groups_parent_path_prefix') {
    return ApiError.validation('The group path must start with its parent path followed by a dot.', [{ field: 'path', message: 'path must extend the parent path' }]);
  }
  return null;
}
