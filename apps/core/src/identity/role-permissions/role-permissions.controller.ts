import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { RolePermissionCreateDto, RolePermissionListQueryDto } from './dto/role-permission.dto';
import { RolePermissionsService } from './role-permissions.service';

/** Part of the global permission catalogue (as in the reference): instance-wide `permissions:*`. */
@Controller('role-permissions')
export class RolePermissionsController {
  constructor(private readonly rolePermissions: RolePermissionsService) {}

  @ApiEndpoint('List role-permission links', 'VALIDATION_FAILED')
  @Get()
  @RequirePermission('permissions:read')
  list(@Query() query: RolePermissionListQueryDto) {
    return this.rolePermissions.list(query);
  }

  @ApiEndpoint('Give a role a permission', 'VALIDATION_FAILED', 'ROLE_NOT_FOUND', 'PERMISSION_NOT_FOUND', 'ROLE_PERMISSION_CONFLICT')
  @Post()
  @RequirePermission('permissions:manage')
  create(@Body() dto: RolePermissionCreateDto, @Ctx() ctx: RequestContext) {
    return this.rolePermissions.create(dto, ctx);
  }

  @ApiEndpoint('Get a role-permission link', 'ROLE_PERMISSION_NOT_FOUND')
  @Get(':role_permission_id')
  @RequirePermission('permissions:read')
  get(@Param('role_permission_id') id: string) {
    return this.rolePermissions.get(id);
  }

  @ApiEndpoint('Remove a permission from a role', 'ROLE_PERMISSION_NOT_FOUND')
  @Delete(':role_permission_id')
  @RequirePermission('permissions:manage')
  revoke(@Param('role_permission_id') id: string, @Ctx() ctx: RequestContext) {
    return this.rolePermissions.revoke(id, ctx);
  }
}
