import { Body, Controller, Get, HttpCode, Module, Post, UseGuards } from '@nestjs/common';
import { SessionAuthGuard } from '@plystra/session';
import { createHttpApplication, createLogger, initHttpApplication, listen } from '@plystra/http';
import { Public, RequirePermission } from '../apps/core/src/access/access.decorators';
import { AuthzRequestDto } from '../apps/core/src/authz/dto/authz-request.dto';
import { loadCoreConfig } from '../apps/core/src/config/core-config';
import { API_PREFIX } from '../apps/core/src/core.app';
import { CoreModule } from '../apps/core/src/core.module';

/**
 * The framework floor: a route of the same shape as `POST /authz/check` (same edge middleware,
 * guard, strict validation of the same body, envelope), answering `{}` without doing any work;
 * and the same floor behind the API-key authentication every check pays before it starts. Both
 * exist only in this bench process, never in Core's own module.
 */
@Controller('bench')
class AuthzFloorController {
  @Public()
  @Post('floor')
  @HttpCode(200)
  floor(@Body() _body: AuthzRequestDto) {
    return {};
  }

  @RequirePermission('authz:check')
  @Post('floor-authenticated')
  @HttpCode(200)
  authenticated(@Body() _body: AuthzRequestDto) {
    return {};
  }

  /** The floor of a session-authenticated GET (`/actor/context`): same edge, guard and envelope, no work. */
  @Public()
  @Get('floor')
  floorGet() {
    return {};
  }

  /** The same GET behind the bearer-session check every `/actor/context` pays before its own work. */
  @Public()
  @UseGuards(SessionAuthGuard)
  @Get('floor-bearer')
  floorBearer() {
    return {};
  }
}

/**
 * Core exactly as production builds it (CoreModule), plus the floor route, in one process: the
 * floor and the check share the process, the pool and the middleware. Reads its environment
 * like main.ts; prints `listening <port> <adapter>` when ready.
 */
async function main(): Promise<void> {
  const config = loadCoreConfig(process.env);
  const logger = createLogger({ service: 'core', level: config.logLevel, format: config.logFormat });
  @Module({ imports: [CoreModule.forRoot({ ...config }, logger)], controllers: [AuthzFloorController] })
  class AuthzBenchModule {}
  const app = await createHttpApplication(AuthzBenchModule, logger, { adapter: config.httpAdapter });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['metrics'] });
  await initHttpApplication(app);
  const port = await listen(app, config.host, config.port);
  // The adapter actually serving (PLYSTRA_HTTP_ADAPTER, through Core's config), so the bench can say which it measured.
  process.stdout.write(`listening ${port} ${app.getHttpAdapter().getType()}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
