import { type DynamicModule, Module } from '@nestjs/common';
import { HttpPlatformModule, type Logger, compileTrustedProxies } from '@plystra/http';
import { AccessModule } from './access/access.module';
import { ActorModule } from './actor/actor.module';
import { AuthModule } from './auth/auth.module';
import { SessionModule } from './auth/session.module';
import { IdentityModule } from './identity/identity.module';
import { RegistryModule } from './registry/registry.module';
import { ResourcesModule } from './resources/resources.module';
import { AuthzModule } from './authz/authz.module';
import { AuditModule } from './audit/audit.module';
import { AdminModule } from './admin/admin.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { ConsoleModule } from './console/console.module';
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
          corsAllowedOrigins: () => config.corsAllowedOrigins,
        }),
        DatabaseModule,
        SessionModule,
        AccessModule,
        // First of the route modules: Express tries routes in registration order, and the check is the hot path.
        AuthzModule,
        SystemModule,
        AuthModule,
        ActorModule,
        IdentityModule,
        RegistryModule,
        ResourcesModule,
        AuditModule,
        AdminModule,
        ApiKeysModule,
        ConsoleModule,
      ],
    };
  }
}
