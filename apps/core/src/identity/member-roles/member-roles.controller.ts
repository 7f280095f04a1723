import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { routeSpace } from '../management/route-scopes';
import { RevokeDto } from '../management/status-dto';
import { MemberRoleCreateDto, MemberRoleListQueryDto } from './dto/member-role.dto';
import { MemberRolesService } from './member-roles.service';

/** The routes of role grants; mounted twice, as `member-roles` and as its alias `member-role-grants`. */
abstract class MemberRoleRoutes {
  constructor(private readonly grants: MemberRolesService) {}

  @ApiEndpoint('List the role grants of the members of a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get()
  @RequirePermission('roles:read', routeSpace)
  list(@Param('space_id') spaceId: string, @Query() query: MemberRoleListQueryDto) {
    return this.grants.list(spaceId, query);
  }

  @ApiEndpoint('Grant a role to a member', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'MEMBER_NOT_FOUND', 'ROLE_NOT_FOUND', 'GROUP_NOT_FOUND', 'MEMBER_ROLE_CONFLICT', [409, 'SPACE_DISABLED'])
  @Post()
  @RequirePermission('roles:manage', routeSpace)
  create(@Param('space_id') spaceId: string, @Body() dto: MemberRoleCreateDto, @Ctx() ctx: RequestContext) {
    return this.grants.create(spaceId, dto, ctx);
  }

  @ApiEndpoint('Get a member role grant', 'SPACE_NOT_FOUND', 'MEMBER_ROLE_NOT_FOUND')
  @Get(':member_role_id')
  @RequirePermission('roles:read', routeSpace)
  get(@Param('space_id') spaceId: string, @Param('member_role_id') id: string) {
    return this.grants.get(id, spaceId);
  }

  @ApiEndpoint('Revoke a member role grant', 'VALIDATION_FAILED', 'MEMBER_ROLE_NOT_FOUND', 'CONFLICT')
  @Post(':member_role_id/revoke')
  @HttpCode(200)
  @RequirePermission('roles:manage', routeSpace)
  revoke(@Param('space_id') spaceId: string, @Param('member_role_id') id: string, @Body() dto: RevokeDto, @Ctx() ctx: RequestContext) {
    return this.grants.revoke(spaceId, id, dto.revoked_reason, ctx);
  }
}

@Controller('spaces/:space_id/member-roles')
export class MemberRolesController extends MemberRoleRoutes {
  constructor(grants: MemberRolesService) {
    super(grants);
  }
}

@Controller('spaces/:space_id/member-role-grants')
export class MemberRoleGrantsController extends MemberRoleRoutes {
  constructor(grants: MemberRolesService) {
    super(grants);
  }
}
