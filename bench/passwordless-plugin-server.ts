import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { createHttpApplication, createLogger, listen } from '@plystra/http';
import { loadPluginConfig } from '../apps/plugin-auth-complete/src/config/plugin-config';
import { EmailCodeSendDto } from '../apps/plugin-auth-complete/src/passwordless/dto/passwordless.dto';
import { PluginModule } from '../apps/plugin-auth-complete/src/plugin.module';
import { countQueries } from './passwordless-query-counter';

const queries = countQueries();

/**
 * The plugin's framework floor: a route of the same shape as `POST /api/v1/auth/email-code`
 * (same edge middleware, strict validation of the same body, envelope) answering `{}` without
 * doing any work; and `GET /bench/queries`, the number of SQL statements the process has sent.
 * Both exist only in this bench process, never in the plugin's own module.
 */
@Controller('bench')
class PasswordlessFloorController {
  @Post('floor')
  @HttpCode(200)
  floor(@Body() _body: EmailCodeSendDto) {
    return {};
  }

  /** Statements sent to PostgreSQL so far (bench/passwordless-query-counter.ts). */
  @Get('queries')
  queries() {
    return { queries: queries() };
  }
}

/**
 * The plugin exactly as production builds it (`PluginModule.forRoot`, as `createPluginApp` does,
 * without the API docs), plus the floor route, in one process: the floor and the flows share the
 * process, the pool and the middleware. Reads its environment like the plugin's main.ts; prints
 * `listening <port>` when ready.
 */
async function main(): Promise<void> {
  const config = loadPluginConfig(process.env);
  const logger = createLogger({ service: 'plugin-auth-complete', level: config.logLevel, format: config.logFormat });
  @Module({ imports: [PluginModule.forRoot(config, logger)], controllers: [PasswordlessFloorController] })
  class PasswordlessBenchModule {}
  const app = await createHttpApplication(PasswordlessBenchModule, logger);
  await app.init();
  const port = await listen(app, config.host, config.port);
  process.stdout.write(`listening ${port}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
