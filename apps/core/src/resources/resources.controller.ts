import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../access/access.decorators';
import { bodyField, groupInSpace, queryField, resourceInSpace, routeSpace } from '../identity/management/route-scopes';
import { StatusMoveDto } from '../identity/management/status-dto';
import { ResourceCreateDto, ResourceListQueryDto, ResourcePatchDto, ResourceSpaceListQueryDto } from './dto/resource.dto';
import { ResourcesService } from './resources.service';

/** `resources:*` in the resource's space, narrowed to its group (so a group admin reaches its subtree). */
@Controller()
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @ApiEndpoint('List resources', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get('resources')
  @RequirePermission('resources:read', (req, scopes) => scopes.space(queryField('space_id')(req)))
  list(@Query() query: ResourceListQueryDto) {
    return this.resources.list(query);
  }

  @ApiEndpoint('Register a resource', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'GROUP_NOT_FOUND', 'RESOURCE_TYPE_NOT_FOUND', 'RESOURCE_CONFLICT')
  @Post('resources')
  @RequirePermission('resources:manage', groupInSpace(bodyField('group_id'), bodyField('space_id')))
  create(@Body() dto: ResourceCreateDto, @Ctx() ctx: RequestContext) {
    return this.resources.create(dto, ctx);
  }

  @ApiEndpoint('Get a resource by type and id', 'RESOURCE_NOT_FOUND')
  @Get('resources/:resource_type/:resource_id')
  @RequirePermission('resources:read', (req, scopes) => scopes.resource(req.params.resource_id))
  getByType(@Param('resource_type') type: string, @Param('resource_id') id: string) {
    return this.resources.getByType(type, id);
  }

  @ApiEndpoint('List the resources of a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get('spaces/:space_id/resources')
  @RequirePermission('resources:read', routeSpace)
  listInSpace(@Param('space_id') spaceId: string, @Query() query: ResourceSpaceListQueryDto) {
    return this.resources.listInSpace(spaceId, query);
  }

  @ApiEndpoint('Register a resource in a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'GROUP_NOT_FOUND', 'RESOURCE_TYPE_NOT_FOUND', 'RESOURCE_CONFLICT')
  @Post('spaces/:space_id/resources')
  @RequirePermission('resources:manage', groupInSpace(bodyField('group_id')))
  createInSpace(@Param('space_id') spaceId: string, @Body() dto: ResourceCreateDto, @Ctx() ctx: RequestContext) {
    return this.resources.create(dto, ctx, spaceId);
  }

  @ApiEndpoint('Get a resource of a space', 'SPACE_NOT_FOUND', 'RESOURCE_NOT_FOUND')
  @Get('spaces/:space_id/resources/:resource_id')
  @RequirePermission('resources:read', resourceInSpace)
  get(@Param('space_id') spaceId: string, @Param('resource_id') id: string) {
    return this.resources.get(spaceId, id);
  }

  @ApiEndpoint('Update a resource', 'VALIDATION_FAILED', 'RESOURCE_NOT_FOUND')
  @Patch('spaces/:space_id/resources/:resource_id')
  @RequirePermission('resources:manage', resourceInSpace)
  patch(@Param('space_id') spaceId: string, @Param('resource_id') id: string, @Body() dto: ResourcePatchDto, @Ctx() ctx: RequestContext) {
    return this.resources.patch(spaceId, id, dto, ctx);
  }

  @ApiEndpoint('Archive a resource', 'VALIDATION_FAILED', 'RESOURCE_NOT_FOUND', 'CONFLICT')
  @Post('spaces/:space_id/resources/:resource_id/archive')
  @HttpCode(200)
  @RequirePermission('resources:manage', resourceInSpace)
  archive(@Param('space_id') spaceId: string, @Param('resource_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.resources.archive(spaceId, id, dto.reason, ctx);
  }
}
