import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { RolePermissionCreateDto, RolePermissionListQueryDto } from './dto/role-permission.dto';
import { RolePermissionsService } from './role-permissions.service';

/** Part of the global permission catalogue (as in the reference): instance-wide `permissions:*`. */
@Controller('role-permissions')
export class RolePermissionsController {
  constructor(private readonly rolePermissions: RolePermissionsService) {}

  @Get()
  @RequirePermission('permissions:read')
  list(@Query() query: RolePermissionListQueryDto) {
    return this.rolePermissions.list(query);
  }

  @Post()
  @RequirePermission('permissions:manage')
  create(@Body() dto: RolePermissionCreateDto, @Ctx() ctx: RequestContext) {
    return this.rolePermissions.create(dto, ctx);
  }

  @Get(':role_permission_id')
  @RequirePermission('permissions:read')
  get(@Param('role_permission_id') id: string) {
    return this.rolePermissions.get(id);
  }

  @Delete(':role_permission_id')
  @RequirePermission('permissions:manage')
  revoke(@Param('role_permission_id') id: string, @Ctx() ctx: RequestContext) {
    return this.rolePermissions.revoke(id, ctx);
  }
}
