import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiEndpoint, Ctx, type RequestContext } from '@plystra/http';
import { RequirePermission } from '../../access/access.decorators';
import { StatusMoveDto } from '../management/status-dto';
import { UserCreateDto, UserListQueryDto, UserPatchDto } from './dto/user.dto';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @ApiEndpoint('List users', 'VALIDATION_FAILED')
  @Get()
  @RequirePermission('users:read')
  list(@Query() query: UserListQueryDto) {
    return this.users.list(query);
  }

  @ApiEndpoint('Create a user', 'VALIDATION_FAILED', 'USER_CONFLICT')
  @Post()
  @RequirePermission('users:manage')
  create(@Body() dto: UserCreateDto, @Ctx() ctx: RequestContext) {
    return this.users.create(dto, ctx);
  }

  @ApiEndpoint('Get a user', 'USER_NOT_FOUND')
  @Get(':user_id')
  @RequirePermission('users:read')
  get(@Param('user_id') id: string) {
    return this.users.get(id);
  }

  @ApiEndpoint('Update a user', 'VALIDATION_FAILED', 'USER_NOT_FOUND', 'USER_CONFLICT')
  @Patch(':user_id')
  @RequirePermission('users:manage')
  patch(@Param('user_id') id: string, @Body() dto: UserPatchDto, @Ctx() ctx: RequestContext) {
    return this.users.patch(id, dto, ctx);
  }

  @ApiEndpoint('Disable a user', 'VALIDATION_FAILED', 'USER_NOT_FOUND', 'CONFLICT')
  @Post(':user_id/disable')
  @HttpCode(200)
  @RequirePermission('users:manage')
  disable(@Param('user_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.users.setStatus(id, 'disabled', dto.reason, ctx);
  }

  @ApiEndpoint('Restore a disabled user', 'VALIDATION_FAILED', 'USER_NOT_FOUND', 'CONFLICT')
  @Post(':user_id/restore')
  @HttpCode(200)
  @RequirePermission('users:manage')
  restore(@Param('user_id') id: string, @Body() dto: StatusMoveDto, @Ctx() ctx: RequestContext) {
    return this.users.setStatus(id, 'active', dto.reason, ctx);
  }
}
