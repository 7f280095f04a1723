import { type DynamicModule, Module } from '@nestjs/common';
import { HttpPlatformModule, type Logger, compileTrustedProxies } from '@plystra/http';
import { ActorModule } from './actor/actor.module';
import { AuthModule } from './auth/auth.module';
import { SessionModule } from './auth/session.module';
import { CoreConfigModule } from './config/core-config.module';
import type { CoreConfig } from './config/core-config';
import { DatabaseModule } from './database/database.module';
import { SystemModule } from './system/system.module';

@Module({})
export class CoreModule {
  static forRoot(config: CoreConfig, logger: Logger): DynamicModule {
    const trust = compileTrustedProxies(config.trustedProxies);
    return {
      module: CoreModule,
      imports: [
        CoreConfigModule.forRoot(config, logger),
        HttpPlatformModule.forRoot({
          service: 'core',
          production: config.production,
          logger,
          bodyLimitBytes: () => config.maxRequestBodyBytes,
          trustProxy: () => trust,
          corsAllowedOrigins: config.corsAllowedOrigins,
        }),
        DatabaseModule,
        SessionModule,
        SystemModule,
        AuthModule,
        ActorModule,
      ],
    };
  }
}
