import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { routeSpace } from '../management/route-scopes';
import { RevokeDto } from '../management/status-dto';
import { UserMemberCreateDto, UserMemberListQueryDto, UserMemberPatchDto } from './dto/user-member.dto';
import { UserMembersService } from './user-members.service';

@Controller()
export class UserMembersController {
  constructor(private readonly bindings: UserMembersService) {}

  @ApiEndpoint('List the user-member links of a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get('spaces/:space_id/user-members')
  @RequirePermission('user_members:read', routeSpace)
  list(@Param('space_id') spaceId: string, @Query() query: UserMemberListQueryDto) {
    return this.bindings.list(spaceId, query);
  }

  @ApiEndpoint('Link a user to a member', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'USER_NOT_FOUND', 'MEMBER_NOT_FOUND', 'USER_MEMBER_CONFLICT', [409, 'SPACE_DISABLED'])
  @Post('spaces/:space_id/user-members')
  @RequirePermission('user_members:manage', routeSpace)
  create(@Param('space_id') spaceId: string, @Body() dto: UserMemberCreateDto, @Ctx() ctx: RequestContext) {
    return this.bindings.create(spaceId, dto, ctx);
  }

  @ApiEndpoint('Get a user-member link of a space', 'SPACE_NOT_FOUND', 'USER_MEMBER_NOT_FOUND')
  @Get('spaces/:space_id/user-members/:user_member_id')
  @RequirePermission('user_members:read', routeSpace)
  get(@Param('space_id') spaceId: string, @Param('user_member_id') id: string) {
    return this.bindings.get(id, spaceId);
  }

  @ApiEndpoint('Update a user-member link', 'VALIDATION_FAILED', 'USER_MEMBER_NOT_FOUND', 'USER_MEMBER_CONFLICT')
  @Patch('spaces/:space_id/user-members/:user_member_id')
  @RequirePermission('user_members:manage', routeSpace)
  patch(@Param('space_id') spaceId: string, @Param('user_member_id') id: string, @Body() dto: UserMemberPatchDto, @Ctx() ctx: RequestContext) {
    return this.bindings.patch(spaceId, id, dto, ctx);
  }

  @ApiEndpoint('Revoke a user-member link', 'VALIDATION_FAILED', 'USER_MEMBER_NOT_FOUND', 'CONFLICT')
  @Post('spaces/:space_id/user-members/:user_member_id/revoke')
  @HttpCode(200)
  @RequirePermission('user_members:manage', routeSpace)
  revoke(@Param('space_id') spaceId: string, @Param('user_member_id') id: string, @Body() dto: RevokeDto, @Ctx() ctx: RequestContext) {
    return this.bindings.revoke(spaceId, id, dto.revoked_reason, ctx);
  }

  @ApiEndpoint('Get a user-member link by id', 'USER_MEMBER_NOT_FOUND')
  @Get('user-members/:user_member_id')
  @RequirePermission('user_members:read', (req, scopes) => scopes.userMember(req.params.user_member_id))
  getById(@Param('user_member_id') id: string) {
    return this.bindings.get(id);
  }
}
