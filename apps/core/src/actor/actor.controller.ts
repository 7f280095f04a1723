import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Public } from '../access/access.decorators';
import { Ctx, type RequestContext } from '@plystra/http';
import { SessionAuthGuard, sessionOf } from '../auth/session-auth.guard';
import { ActorService } from './actor.service';
import { SwitchMemberDto } from './dto/switch-member.dto';

@Public()
@Controller('actor')
@UseGuards(SessionAuthGuard)
export class ActorController {
  constructor(private readonly actors: ActorService) {}

  @Get('context')
  context(@Ctx() ctx: RequestContext) {
    return this.actors.context(sessionOf(ctx.credential));
  }

  @Post('switch-member')
  @HttpCode(200)
  switchMember(@Body() dto: SwitchMemberDto, @Ctx() ctx: RequestContext) {
    return this.actors.switchMember(sessionOf(ctx.credential), dto);
  }
}
