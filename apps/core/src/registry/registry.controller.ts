import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, PageQueryDto, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../access/access.decorators';
import { ResourceActionUpsertDto, ResourceMappingUpsertDto, ResourceTypeListQueryDto, ResourceTypeUpsertDto } from './dto/registry.dto';
import { RegistryService } from './registry.service';

/** The resource registry is instance-wide: `registry:read` and `registry:manage`. Upserts by POST answer 201. */
@Controller('resource-types')
export class RegistryController {
  constructor(private readonly registry: RegistryService) {}

  @ApiEndpoint('List resource types', 'VALIDATION_FAILED')
  @Get()
  @RequirePermission('registry:read')
  list(@Query() query: ResourceTypeListQueryDto) {
    return this.registry.listTypes(query);
  }

  @ApiEndpoint('Create or update a resource type', 'VALIDATION_FAILED')
  @Post()
  @RequirePermission('registry:manage')
  upsert(@Body() dto: ResourceTypeUpsertDto, @Ctx() ctx: RequestContext) {
    return this.registry.upsertType(dto, ctx);
  }

  @ApiEndpoint('Get a resource type', 'RESOURCE_TYPE_NOT_FOUND')
  @Get(':key')
  @RequirePermission('registry:read')
  get(@Param('key') key: string) {
    return this.registry.getType(key);
  }

  @ApiEndpoint('List the actions of a resource type', 'VALIDATION_FAILED', 'RESOURCE_TYPE_NOT_FOUND')
  @Get(':key/actions')
  @RequirePermission('registry:read')
  actions(@Param('key') key: string, @Query() query: PageQueryDto) {
    return this.registry.listActions(key, query);
  }

  @ApiEndpoint('Create or update an action of a resource type', 'VALIDATION_FAILED', 'RESOURCE_TYPE_NOT_FOUND')
  @Post(':key/actions')
  @RequirePermission('registry:manage')
  upsertAction(@Param('key') key: string, @Body() dto: ResourceActionUpsertDto, @Ctx() ctx: RequestContext) {
    return this.registry.upsertAction(key, dto, ctx);
  }

  @ApiEndpoint('Get the permission mapping of a resource type', 'RESOURCE_TYPE_NOT_FOUND', 'RESOURCE_MAPPING_NOT_FOUND')
  @Get(':key/mapping')
  @RequirePermission('registry:read')
  mapping(@Param('key') key: string) {
    return this.registry.getMapping(key);
  }

  @ApiEndpoint('Create the permission mapping of a resource type', 'VALIDATION_FAILED', 'RESOURCE_TYPE_NOT_FOUND', 'RESOURCE_MAPPING_CONFLICT')
  @Post(':key/mapping')
  @RequirePermission('registry:manage')
  createMapping(@Param('key') key: string, @Body() dto: ResourceMappingUpsertDto, @Ctx() ctx: RequestContext) {
    return this.registry.upsertMapping(key, dto, ctx);
  }

  @ApiEndpoint('Replace the permission mapping of a resource type', 'VALIDATION_FAILED', 'RESOURCE_TYPE_NOT_FOUND')
  @Put(':key/mapping')
  @RequirePermission('registry:manage')
  putMapping(@Param('key') key: string, @Body() dto: ResourceMappingUpsertDto, @Ctx() ctx: RequestContext) {
    return this.registry.upsertMapping(key, dto, ctx);
  }

  @ApiEndpoint('Update the permission mapping of a resource type', 'VALIDATION_FAILED', 'RESOURCE_TYPE_NOT_FOUND', 'RESOURCE_MAPPING_NOT_FOUND')
  @Patch(':key/mapping')
  @RequirePermission('registry:manage')
  patchMapping(@Param('key') key: string, @Body() dto: ResourceMappingUpsertDto, @Ctx() ctx: RequestContext) {
    return this.registry.upsertMapping(key, dto, ctx);
  }
}
