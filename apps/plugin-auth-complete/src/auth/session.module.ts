import { Global, Injectable, Module } from '@nestjs/common';
import { AuditWriter } from '@plystra/db';
import { AccountSessionsService, type LoginThrottle, PasswordHasher, SessionFlows, SessionService, SignInService, TokenHasher } from '@plystra/session';
import { DataSource } from 'typeorm';
import { PLUGIN_CONFIG } from '../config/plugin-config.module';
import type { PluginConfig } from '../config/plugin-config';
import { AuthLimitsService } from '../limits/auth-limits.service';

/**
 * libs/session's SignInService for the current login limits: the throttle is built from the live
 * settings (same keys and table as Core), so the sign-in is rebuilt when the limits change.
 */
@Injectable()
export class LiveSignIn {
  private cached: { throttle: LoginThrottle; signIn: SignInService } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly passwords: PasswordHasher,
    private readonly limits: AuthLimitsService,
  ) {}

  current(): SignInService {
    const throttle = this.limits.loginThrottle();
    if (this.cached?.throttle !== throttle) this.cached = { throttle, signIn: new SignInService(this.dataSource, this.sessions, this.passwords, throttle) };
    return this.cached.signIn;
  }
}

/** libs/session wired with the plugin's secrets: sessions Core accepts as its own. */
@Global()
@Module({
  providers: [
    { provide: TokenHasher, inject: [PLUGIN_CONFIG], useFactory: (c: PluginConfig) => new TokenHasher(c.sessionSecret, c.sessionSecretPrevious) },
    { provide: PasswordHasher, useFactory: () => new PasswordHasher() },
    {
      provide: SessionService,
      inject: [DataSource, TokenHasher, PLUGIN_CONFIG],
      useFactory: (ds: DataSource, hasher: TokenHasher, c: PluginConfig) =>
        new SessionService(ds, hasher, {
          accessTtlSeconds: 15 * 60,
          refreshTtlSeconds: 30 * 24 * 3600,
          refreshReuseGraceSeconds: c.refreshReuseGraceSeconds,
          idleTimeoutSeconds: c.sessionIdleTimeoutSeconds,
        }),
    },
    { provide: SessionFlows, inject: [SessionService, AuditWriter], useFactory: (s: SessionService, a: AuditWriter) => new SessionFlows(s, a) },
    AuthLimitsService,
    LiveSignIn,
    {
      // The throttle is read on each call: it is the one built from the live login limits.
      provide: AccountSessionsService,
      inject: [DataSource, SessionService, PasswordHasher, AuthLimitsService, PLUGIN_CONFIG, AuditWriter],
      useFactory: (ds: DataSource, s: SessionService, p: PasswordHasher, l: AuthLimitsService, c: PluginConfig, a: AuditWriter) =>
        new AccountSessionsService(ds, s, p, () => l.loginThrottle(), () => c.passwordPolicy, a),
    },
  ],
  exports: [TokenHasher, PasswordHasher, SessionService, SessionFlows, AuthLimitsService, LiveSignIn, AccountSessionsService],
})
export class SessionModule {}
