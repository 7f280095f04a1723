import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { StatusMoveDto } from '../management/status-dto';
import { PermissionCreateDto, PermissionListQueryDto, PermissionPatchDto } from './dto/permission.dto';
import { PermissionsService } from './permissions.service';

/** Permissions are global (not in a space), so every route needs an instance-wide credential. */
@Controller('permissions')
export class PermissionsController {
  constructor(private readonly permissions: PermissionsService) {}

  @ApiEndpoint('List permissions', 'VALIDATION_FAILED')
  @Get()
  @RequirePermission('permissions:read')
  list(@Query() query: PermissionListQueryDto) {
    return this.permissions.list(query);
  }

  @ApiEndpoint('Create a permission', 'VALIDATION_FAILED', 'PERMISSION_CONFLICT')
  @Post()
  @RequirePermission('permissions:manage')
  create(@Body() dto: PermissionCreateDto, @Ctx() ctx: RequestContext) {
    return this.permissions.create(dto, ctx);
  }

  @ApiEndpoint('Get a permission', 'PERMISSION_NOT_FOUND')
  @Get(':permission_id')
  @RequirePermission('permissions:read')
  get(@Param('permission_id') id: string) {
    return this.permissions.get(id);
  }

  @ApiEndpoint('Update a permission', 'VALIDATION_FAILED', 'PERMISSION_NOT_FOUND')
  @Patch(':permission_id')
  @RequirePermission('permissions:manage')
  patch(@Param('permission_id') id: string, @Body() dto: PermissionPatchDto, @Ctx() ctx: RequestContext) {
    return this.permissions.patch(id, dto, ctx);
  }

  @ApiEndpoint('Disable a permission', 'VALIDATION_FAILED', 'PERMISSION_NOT_FOUND', 'CONFLICT')
  @Post(':permission_id/disable')
  @HttpCode(200)
  @RequirePermission('permissions:manage')
  disable(@Param('permission_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.permissions.disable(id, dto.reason, ctx);
  }
}
