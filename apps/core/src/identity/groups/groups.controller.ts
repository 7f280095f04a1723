import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, PageQueryDto, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { bodyField, groupInSpace, routeSpace } from '../management/route-scopes';
import { StatusMoveDto } from '../management/status-dto';
import { GroupCreateDto, GroupListQueryDto, GroupPatchDto } from './dto/group.dto';
import { GroupsService } from './groups.service';

const routeGroup = groupInSpace((req) => req.params.group_id);
const parentGroup = groupInSpace((req) => bodyField('parent_group_id')(req) ?? bodyField('parent_id')(req));

@Controller()
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @ApiEndpoint('List the groups of a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get('spaces/:space_id/groups')
  @RequirePermission('groups:read', routeSpace)
  list(@Param('space_id') spaceId: string, @Query() query: GroupListQueryDto) {
    return this.groups.list(spaceId, query);
  }

  @ApiEndpoint('Create a group in a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'GROUP_NOT_FOUND', 'GROUP_CONFLICT', [409, 'SPACE_DISABLED'])
  @Post('spaces/:space_id/groups')
  @RequirePermission('groups:manage', parentGroup)
  create(@Param('space_id') spaceId: string, @Body() dto: GroupCreateDto, @Ctx() ctx: RequestContext) {
    return this.groups.create(spaceId, dto, ctx);
  }

  @ApiEndpoint('Get the group tree of a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get('spaces/:space_id/groups/tree')
  @RequirePermission('groups:read', routeSpace)
  tree(@Param('space_id') spaceId: string, @Query() query: PageQueryDto) {
    return this.groups.tree(spaceId, query);
  }

  @ApiEndpoint('Get a group of a space', 'SPACE_NOT_FOUND', 'GROUP_NOT_FOUND')
  @Get('spaces/:space_id/groups/:group_id')
  @RequirePermission('groups:read', routeGroup)
  get(@Param('space_id') spaceId: string, @Param('group_id') id: string) {
    return this.groups.get(id, spaceId);
  }

  @ApiEndpoint('Update a group', 'VALIDATION_FAILED', 'GROUP_NOT_FOUND', 'GROUP_CONFLICT', [409, 'SPACE_DISABLED'])
  @Patch('spaces/:space_id/groups/:group_id')
  @RequirePermission('groups:manage', routeGroup)
  patch(@Param('space_id') spaceId: string, @Param('group_id') id: string, @Body() dto: GroupPatchDto, @Ctx() ctx: RequestContext) {
    return this.groups.patch(spaceId, id, dto, ctx);
  }

  @ApiEndpoint('Disable a group', 'VALIDATION_FAILED', 'GROUP_NOT_FOUND', 'CONFLICT')
  @Post('spaces/:space_id/groups/:group_id/disable')
  @HttpCode(200)
  @RequirePermission('groups:manage', routeGroup)
  disable(@Param('space_id') spaceId: string, @Param('group_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.groups.disable(spaceId, id, dto.reason, ctx);
  }

  @ApiEndpoint('Get a group by id', 'GROUP_NOT_FOUND')
  @Get('groups/:group_id')
  @RequirePermission('groups:read', (req, scopes) => scopes.group(req.params.group_id))
  getById(@Param('group_id') id: string) {
    return this.groups.get(id);
  }
}
