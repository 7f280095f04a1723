import { Module } from '@nestjs/common';
import { GroupsController } from './groups/groups.controller';
import { GroupsService } from './groups/groups.service';
import { ManagementWriter } from './management/management-writer';
import { MemberRoleGrantsController, MemberRolesController } from './member-roles/member-roles.controller';
import { MemberRolesService } from './member-roles/member-roles.service';
import { MembersController } from './members/members.controller';
import { MembersService } from './members/members.service';
import { PermissionsController } from './permissions/permissions.controller';
import { PermissionsService } from './permissions/permissions.service';
import { RolePermissionsController } from './role-permissions/role-permissions.controller';
import { RolePermissionsService } from './role-permissions/role-permissions.service';
import { RolesController } from './roles/roles.controller';
import { RolesService } from './roles/roles.service';
import { SpacesController } from './spaces/spaces.controller';
import { SpacesService } from './spaces/spaces.service';
import { UserMembersController } from './user-members/user-members.controller';
import { UserMembersService } from './user-members/user-members.service';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

/**
 * The identity and role graph's management API (core.md §5): users, spaces, groups, members,
 * bindings, roles, grants, permissions. Exports the mutation writer the registry and resources
 * share.
 */
@Module({
  controllers: [
    UsersController, SpacesController, GroupsController, MembersController, UserMembersController, RolesController,
    MemberRolesController, MemberRoleGrantsController, PermissionsController, RolePermissionsController,
  ],
  providers: [
    ManagementWriter, UsersService, SpacesService, GroupsService, MembersService, UserMembersService, RolesService,
    MemberRolesService, PermissionsService, RolePermissionsService,
  ],
  exports: [ManagementWriter],
})
export class IdentityModule {}
