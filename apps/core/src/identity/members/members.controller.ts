import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { routeSpace } from '../management/route-scopes';
import { StatusMoveDto } from '../management/status-dto';
import { MemberCreateDto, MemberListQueryDto, MemberPatchDto } from './dto/member.dto';
import { MembersService } from './members.service';

@Controller()
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @ApiEndpoint('List the members of a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get('spaces/:space_id/members')
  @RequirePermission('members:read', routeSpace)
  list(@Param('space_id') spaceId: string, @Query() query: MemberListQueryDto) {
    return this.members.list(spaceId, query);
  }

  @ApiEndpoint('Create a member in a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'MEMBER_CONFLICT', [409, 'SPACE_DISABLED'])
  @Post('spaces/:space_id/members')
  @RequirePermission('members:manage', routeSpace)
  create(@Param('space_id') spaceId: string, @Body() dto: MemberCreateDto, @Ctx() ctx: RequestContext) {
    return this.members.create(spaceId, dto, ctx);
  }

  @ApiEndpoint('Get a member of a space', 'SPACE_NOT_FOUND', 'MEMBER_NOT_FOUND')
  @Get('spaces/:space_id/members/:member_id')
  @RequirePermission('members:read', routeSpace)
  get(@Param('space_id') spaceId: string, @Param('member_id') id: string) {
    return this.members.get(id, spaceId);
  }

  @ApiEndpoint('Update a member', 'VALIDATION_FAILED', 'MEMBER_NOT_FOUND', 'MEMBER_CONFLICT', [409, 'SPACE_DISABLED'])
  @Patch('spaces/:space_id/members/:member_id')
  @RequirePermission('members:manage', routeSpace)
  patch(@Param('space_id') spaceId: string, @Param('member_id') id: string, @Body() dto: MemberPatchDto, @Ctx() ctx: RequestContext) {
    return this.members.patch(spaceId, id, dto, ctx);
  }

  @ApiEndpoint('Disable a member', 'VALIDATION_FAILED', 'MEMBER_NOT_FOUND', 'CONFLICT')
  @Post('spaces/:space_id/members/:member_id/disable')
  @HttpCode(200)
  @RequirePermission('members:manage', routeSpace)
  disable(@Param('space_id') spaceId: string, @Param('member_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.members.disable(spaceId, id, dto.reason, ctx);
  }

  @ApiEndpoint('Get a member by id', 'MEMBER_NOT_FOUND')
  @Get('members/:member_id')
  @RequirePermission('members:read', (req, scopes) => scopes.member(req.params.member_id))
  getById(@Param('member_id') id: string) {
    return this.members.get(id);
  }
}
