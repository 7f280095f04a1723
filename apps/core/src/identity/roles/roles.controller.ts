import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { routeSpace } from '../management/route-scopes';
import { StatusMoveDto } from '../management/status-dto';
import { RoleCreateDto, RoleListQueryDto, RolePatchDto } from './dto/role.dto';
import { RolesService } from './roles.service';

@Controller()
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @ApiEndpoint('List the roles of a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get('spaces/:space_id/roles')
  @RequirePermission('roles:read', routeSpace)
  list(@Param('space_id') spaceId: string, @Query() query: RoleListQueryDto) {
    return this.roles.list(spaceId, query);
  }

  @ApiEndpoint('Create a role in a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'ROLE_CONFLICT', [409, 'SPACE_DISABLED'])
  @Post('spaces/:space_id/roles')
  @RequirePermission('roles:manage', routeSpace)
  create(@Param('space_id') spaceId: string, @Body() dto: RoleCreateDto, @Ctx() ctx: RequestContext) {
    return this.roles.create(spaceId, dto, ctx);
  }

  @ApiEndpoint('Get a role of a space', 'SPACE_NOT_FOUND', 'ROLE_NOT_FOUND')
  @Get('spaces/:space_id/roles/:role_id')
  @RequirePermission('roles:read', routeSpace)
  get(@Param('space_id') spaceId: string, @Param('role_id') id: string) {
    return this.roles.get(id, spaceId);
  }

  @ApiEndpoint('Update a role', 'VALIDATION_FAILED', 'ROLE_NOT_FOUND', 'ROLE_CONFLICT')
  @Patch('spaces/:space_id/roles/:role_id')
  @RequirePermission('roles:manage', routeSpace)
  patch(@Param('space_id') spaceId: string, @Param('role_id') id: string, @Body() dto: RolePatchDto, @Ctx() ctx: RequestContext) {
    return this.roles.patch(spaceId, id, dto, ctx);
  }

  @ApiEndpoint('Disable a role', 'VALIDATION_FAILED', 'ROLE_NOT_FOUND', 'CONFLICT')
  @Post('spaces/:space_id/roles/:role_id/disable')
  @HttpCode(200)
  @RequirePermission('roles:manage', routeSpace)
  disable(@Param('space_id') spaceId: string, @Param('role_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.roles.disable(spaceId, id, dto.reason, ctx);
  }

  @ApiEndpoint('Get a role by id', 'ROLE_NOT_FOUND')
  @Get('roles/:role_id')
  @RequirePermission('roles:read', (req, scopes) => scopes.role(req.params.role_id))
  getById(@Param('role_id') id: string) {
    return this.roles.get(id);
  }
}
