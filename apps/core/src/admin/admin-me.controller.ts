import { Controller, Get, Req } from '@nestjs/common';
import { Ctx, type RequestContext } from '@plystra/http';
import { Public } from '../access/access.decorators';
import { AdminMeService } from './admin-me.service';

/**
 * `GET /admin/me` is declared public only so that the route guard does not demand a permission:
 * the service authenticates the credential itself (the same CredentialService as the guard, so a
 * missing or bad credential is still 401). See AdminMeService for why.
 */
@Public()
@Controller('admin')
export class AdminMeController {
  constructor(private readonly me: AdminMeService) {}

  @Get('me')
  describe(@Req() req: unknown, @Ctx() ctx: RequestContext) {
    return this.me.describe(req, ctx);
  }
}
