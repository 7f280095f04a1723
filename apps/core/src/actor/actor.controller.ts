import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { SessionAuthGuard, sessionOf } from '@plystra/session';
import { Public } from '../access/access.decorators';
import { ApiCredentials, ApiEndpoint, BEARER_SCHEME, Ctx, type RequestContext } from '@plystra/http';
import { ActorService } from './actor.service';
import { SwitchMemberDto } from './dto/switch-member.dto';

@Public()
@ApiCredentials(BEARER_SCHEME)
@Controller('actor')
@UseGuards(SessionAuthGuard)
export class ActorController {
  constructor(private readonly actors: ActorService) {}

  @ApiEndpoint('Get the signed-in actor\'s context (user, members, active member)', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED')
  @Get('context')
  context(@Ctx() ctx: RequestContext) {
    return this.actors.context(sessionOf(ctx.credential));
  }

  @ApiEndpoint('Switch the session\'s active member', 'VALIDATION_FAILED', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED', 'ACTIVE_MEMBER_REQUIRED', 'MEMBER_NOT_FOUND')
  @Post('switch-member')
  @HttpCode(200)
  switchMember(@Body() dto: SwitchMemberDto, @Ctx() ctx: RequestContext) {
    return this.actors.switchMember(sessionOf(ctx.credential), dto);
  }
}
