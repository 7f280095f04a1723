import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Ctx, type RequestContext } from '@plystra/http';
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

  @Get()
  @RequirePermission('admin_grants:read')
  list(@Query() query: AdminGrantQueryDto, @Ctx() ctx: RequestContext) {
    return this.grants.list(query, ctx);
  }

  @Post()
  @RequirePermission('admin_grants:manage')
  create(@Body() dto: AdminGrantCreateDto, @Ctx() ctx: RequestContext) {
    return this.grants.create(dto, ctx);
  }

  @Get(':id')
  @RequirePermission('admin_grants:read')
  get(@Param('id') id: string, @Ctx() ctx: RequestContext) {
    return this.grants.get(id, ctx);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequirePermission('admin_grants:manage')
  revoke(@Param('id') id: string, @Body() dto: RevokeDto, @Ctx() ctx: RequestContext) {
    return this.grants.revoke(id, dto, ctx);
  }
}
