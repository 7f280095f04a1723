import { type DynamicModule, Module } from '@nestjs/common';
import { HttpPlatformModule, type Logger } from '@plystra/http';
import { AuthModule } from './auth/auth.module';
import { SessionModule } from './auth/session.module';
import { PluginConfigModule } from './config/plugin-config.module';
import type { PluginConfig } from './config/plugin-config';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { PasswordlessModule } from './passwordless/passwordless.module';
import { SettingsModule } from './settings/settings.module';
import { SettingsStore } from './settings/settings.store';

@Module({})
export class PluginModule {
  /**
   * The whole plugin. The settings store exists before the container so the shared HTTP edge
   * reads the live body limit and trusted proxies on every request.
   */
  static forRoot(config: PluginConfig, logger: Logger, store = new SettingsStore()): DynamicModule {
    return {
      module: PluginModule,
      imports: [
        PluginConfigModule.forRoot(config, logger),
        HttpPlatformModule.forRoot({
          service: 'plugin-auth-complete',
          production: config.production,
          logger,
          bodyLimitBytes: () => store.current.maxRequestBodyBytes,
          trustProxy: () => store.current.trust,
          corsAllowedOrigins: config.corsAllowedOrigins,
        }),
        DatabaseModule,
        SettingsModule.forRoot(store),
        SessionModule,
        AuthModule,
        PasswordlessModule,
        HealthModule,
        MaintenanceModule,
      ],
    };
  }
}
