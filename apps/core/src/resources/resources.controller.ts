import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../access/access.decorators';
import { bodyField, groupInSpace, queryField, resourceInSpace, routeSpace } from '../identity/management/route-scopes';
import { StatusMoveDto } from '../identity/management/status-dto';
import { ResourceCreateDto, ResourceListQueryDto, ResourcePatchDto, ResourceSpaceListQueryDto } from './dto/resource.dto';
import { ResourcesService } from './resources.service';

/** `resources:*` in the resource's space, narrowed to its group (so a group admin reaches its subtree). */
@Controller()
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @Get('resources')
  @RequirePermission('resources:read', (req, scopes) => scopes.space(queryField('space_id')(req)))
  list(@Query() query: ResourceListQueryDto) {
    return this.resources.list(query);
  }

  @Post('resources')
  @RequirePermission('resources:manage', groupInSpace(bodyField('group_id'), bodyField('space_id')))
  create(@Body() dto: ResourceCreateDto, @Ctx() ctx: RequestContext) {
    return this.resources.create(dto, ctx);
  }

  @Get('resources/:resource_type/:resource_id')
  @RequirePermission('resources:read', (req, scopes) => scopes.resource(req.params.resource_id))
  getByType(@Param('resource_type') type: string, @Param('resource_id') id: string) {
    return this.resources.getByType(type, id);
  }

  @Get('spaces/:space_id/resources')
  @RequirePermission('resources:read', routeSpace)
  listInSpace(@Param('space_id') spaceId: string, @Query() query: ResourceSpaceListQueryDto) {
    return this.resources.listInSpace(spaceId, query);
  }

  @Post('spaces/:space_id/resources')
  @RequirePermission('resources:manage', groupInSpace(bodyField('group_id')))
  createInSpace(@Param('space_id') spaceId: string, @Body() dto: ResourceCreateDto, @Ctx() ctx: RequestContext) {
    return this.resources.create(dto, ctx, spaceId);
  }

  @Get('spaces/:space_id/resources/:resource_id')
  @RequirePermission('resources:read', resourceInSpace)
  get(@Param('space_id') spaceId: string, @Param('resource_id') id: string) {
    return this.resources.get(spaceId, id);
  }

  @Patch('spaces/:space_id/resources/:resource_id')
  @RequirePermission('resources:manage', resourceInSpace)
  patch(@Param('space_id') spaceId: string, @Param('resource_id') id: string, @Body() dto: ResourcePatchDto, @Ctx() ctx: RequestContext) {
    return this.resources.patch(spaceId, id, dto, ctx);
  }

  @Post('spaces/:space_id/resources/:resource_id/archive')
  @HttpCode(200)
  @RequirePermission('resources:manage', resourceInSpace)
  archive(@Param('space_id') spaceId: string, @Param('resource_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.resources.archive(spaceId, id, dto.reason, ctx);
  }
}
