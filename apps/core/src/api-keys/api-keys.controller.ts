import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../access/access.decorators';
import { RevokeDto } from '../admin/dto/admin-grant.dto';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyCreateDto, ApiKeyQueryDto } from './dto/api-key.dto';

/**
 * The route lets any credential holding the permission somewhere through (api_keys:* is
 * handler-resolved); the service then checks the real key's scope, or the scope of the new one.
 */
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @RequirePermission('api_keys:read')
  list(@Query() query: ApiKeyQueryDto, @Ctx() ctx: RequestContext) {
    return this.keys.list(query, ctx);
  }

  @Post()
  @RequirePermission('api_keys:create')
  create(@Body() dto: ApiKeyCreateDto, @Ctx() ctx: RequestContext) {
    return this.keys.create(dto, ctx);
  }

  @Get(':id')
  @RequirePermission('api_keys:read')
  get(@Param('id') id: string, @Ctx() ctx: RequestContext) {
    return this.keys.get(id, ctx);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequirePermission('api_keys:revoke')
  revoke(@Param('id') id: string, @Body() dto: RevokeDto, @Ctx() ctx: RequestContext) {
    return this.keys.revoke(id, dto, ctx);
  }
}
