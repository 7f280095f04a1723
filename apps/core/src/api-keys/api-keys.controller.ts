import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
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

  @ApiEndpoint('List API keys', 'VALIDATION_FAILED')
  @Get()
  @RequirePermission('api_keys:read')
  list(@Query() query: ApiKeyQueryDto, @Ctx() ctx: RequestContext) {
    return this.keys.list(query, ctx);
  }

  @ApiEndpoint('Create an API key (the secret is shown once)', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'API_KEY_CONFLICT')
  @Post()
  @RequirePermission('api_keys:create')
  create(@Body() dto: ApiKeyCreateDto, @Ctx() ctx: RequestContext) {
    return this.keys.create(dto, ctx);
  }

  @ApiEndpoint('Get an API key', 'API_KEY_NOT_FOUND')
  @Get(':id')
  @RequirePermission('api_keys:read')
  get(@Param('id') id: string, @Ctx() ctx: RequestContext) {
    return this.keys.get(id, ctx);
  }

  @ApiEndpoint('Revoke an API key', 'VALIDATION_FAILED', 'API_KEY_NOT_FOUND')
  @Post(':id/revoke')
  @HttpCode(200)
  @RequirePermission('api_keys:revoke')
  revoke(@Param('id') id: string, @Body() dto: RevokeDto, @Ctx() ctx: RequestContext) {
    return this.keys.revoke(id, dto, ctx);
  }
}
