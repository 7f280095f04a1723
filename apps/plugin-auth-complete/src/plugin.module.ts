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

/**
 * CORS origins: the configured list plus the application's own origins from the live settings
 * (`public_app_url`, `allowed_redirect_origins`), recomputed only when the settings change.
 */
function liveCorsOrigins(configured: string[], store: SettingsStore): () => string[] {
  let cached: { settings: unknown; origins: string[] } | null = null;
  return () => {
    const settings = store.current;
    if (cached?.settings !== settings) {
      const app = settings.publicAppUrl ? [new URL(settings.publicAppUrl).origin] : [];
      cached = { settings, origins: [...new Set([...configured, ...app, ...settings.allowedRedirectOrigins])] };
    }
    return cached.origins;
  };
}

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
          corsAllowedOrigins: liveCorsOrigins(config.corsAllowedOrigins, store),
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
