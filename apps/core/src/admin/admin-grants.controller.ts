import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../access/access.decorators';
import { AdminGrantsService } from './admin-grants.service';
import { AdminGrantCreateDto, AdminGrantQueryDto, RevokeDto } from './dto/admin-grant.dto';

/**
 * The route lets any credential holding the permission somewhere through (admin_grants:* is
 * handler-resolved); the service then checks the real grant's scope, or the scope of the new one.
 */
@Controller('admin/grants')
export class AdminGrantsController {
  constructor(private readonly grants: AdminGrantsService) {}

  @ApiEndpoint('List admin grants', 'VALIDATION_FAILED')
  @Get()
  @RequirePermission('admin_grants:read')
  list(@Query() query: AdminGrantQueryDto, @Ctx() ctx: RequestContext) {
    return this.grants.list(query, ctx);
  }

  @ApiEndpoint('Create an admin grant', 'VALIDATION_FAILED', 'USER_NOT_FOUND', 'SPACE_NOT_FOUND', 'GROUP_NOT_FOUND', 'MEMBER_NOT_FOUND', 'ADMIN_GRANT_CONFLICT')
  @Post()
  @RequirePermission('admin_grants:manage')
  create(@Body() dto: AdminGrantCreateDto, @Ctx() ctx: RequestContext) {
    return this.grants.create(dto, ctx);
  }

  @ApiEndpoint('Get an admin grant', 'ADMIN_GRANT_NOT_FOUND')
  @Get(':id')
  @RequirePermission('admin_grants:read')
  get(@Param('id') id: string, @Ctx() ctx: RequestContext) {
    return this.grants.get(id, ctx);
  }

  @ApiEndpoint('Revoke an admin grant', 'VALIDATION_FAILED', 'ADMIN_GRANT_NOT_FOUND', 'LAST_SUPER_ADMIN')
  @Post(':id/revoke')
  @HttpCode(200)
  @RequirePermission('admin_grants:manage')
  revoke(@Param('id') id: string, @Body() dto: RevokeDto, @Ctx() ctx: RequestContext) {
    return this.grants.revoke(id, dto, ctx);
  }
}
