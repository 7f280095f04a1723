import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { StatusMoveDto } from '../management/status-dto';
import { PermissionCreateDto, PermissionListQueryDto, PermissionPatchDto } from './dto/permission.dto';
import { PermissionsService } from './permissions.service';

/** Permissions are global (not in a space), so every route needs an instance-wide credential. */
@Controller('permissions')
export class PermissionsController {
  constructor(private readonly permissions: PermissionsService) {}

  @Get()
  @RequirePermission('permissions:read')
  list(@Query() query: PermissionListQueryDto) {
    return this.permissions.list(query);
  }

  @Post()
  @RequirePermission('permissions:manage')
  create(@Body() dto: PermissionCreateDto, @Ctx() ctx: RequestContext) {
    return this.permissions.create(dto, ctx);
  }

  @Get(':permission_id')
  @RequirePermission('permissions:read')
  get(@Param('permission_id') id: string) {
    return this.permissions.get(id);
  }

  @Patch(':permission_id')
  @RequirePermission('permissions:manage')
  patch(@Param('permission_id') id: string, @Body() dto: PermissionPatchDto, @Ctx() ctx: RequestContext) {
    return this.permissions.patch(id, dto, ctx);
  }

  @Post(':permission_id/disable')
  @HttpCode(200)
  @RequirePermission('permissions:manage')
  disable(@Param('permission_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.permissions.disable(id, dto.reason, ctx);
  }
}
