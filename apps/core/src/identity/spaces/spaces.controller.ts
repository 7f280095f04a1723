import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { routeSpace } from '../management/route-scopes';
import { StatusMoveDto } from '../management/status-dto';
import { SpaceCreateDto, SpaceListQueryDto, SpacePatchDto } from './dto/space.dto';
import { SpacesService } from './spaces.service';

@Controller('spaces')
export class SpacesController {
  constructor(private readonly spaces: SpacesService) {}

  @ApiEndpoint('List spaces', 'VALIDATION_FAILED')
  @Get()
  @RequirePermission('spaces:read')
  list(@Query() query: SpaceListQueryDto) {
    return this.spaces.list(query);
  }

  @ApiEndpoint('Create a space', 'VALIDATION_FAILED', 'SPACE_CONFLICT')
  @Post()
  @RequirePermission('spaces:manage')
  create(@Body() dto: SpaceCreateDto, @Ctx() ctx: RequestContext) {
    return this.spaces.create(dto, ctx);
  }

  @ApiEndpoint('Get a space', 'SPACE_NOT_FOUND')
  @Get(':space_id')
  @RequirePermission('spaces:read', routeSpace)
  get(@Param('space_id') id: string) {
    return this.spaces.get(id);
  }

  @ApiEndpoint('Update a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'SPACE_CONFLICT')
  @Patch(':space_id')
  @RequirePermission('spaces:manage', routeSpace)
  patch(@Param('space_id') id: string, @Body() dto: SpacePatchDto, @Ctx() ctx: RequestContext) {
    return this.spaces.patch(id, dto, ctx);
  }

  @ApiEndpoint('Disable a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'CONFLICT')
  @Post(':space_id/disable')
  @HttpCode(200)
  @RequirePermission('spaces:manage', routeSpace)
  disable(@Param('space_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.spaces.setStatus(id, 'disabled', dto.reason, ctx);
  }

  @ApiEndpoint('Restore a disabled space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND', 'CONFLICT')
  @Post(':space_id/restore')
  @HttpCode(200)
  @RequirePermission('spaces:manage', routeSpace)
  restore(@Param('space_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.spaces.setStatus(id, 'active', dto.reason, ctx);
  }
}
