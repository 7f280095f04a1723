import { Controller, Get, Req } from '@nestjs/common';
import { API_KEY_SCHEME, ApiCredentials, ApiEndpoint, BEARER_SCHEME, Ctx, type RequestContext } from '@plystra/http';
import { Public } from '../access/access.decorators';
import { AdminMeService } from './admin-me.service';

/**
 * `GET /admin/me` is declared public only so that the route guard does not demand a permission:
 * the service authenticates the credential itself (the same CredentialService as the guard, so a
 * missing or bad credential is still 401). See AdminMeService for why.
 */
@Public()
@ApiCredentials(BEARER_SCHEME, API_KEY_SCHEME)
@Controller('admin')
export class AdminMeController {
  constructor(private readonly me: AdminMeService) {}

  @ApiEndpoint('Describe the calling credential and its admin permissions', 'AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED')
  @Get('me')
  describe(@Req() req: unknown, @Ctx() ctx: RequestContext) {
    return this.me.describe(req, ctx);
  }
}
