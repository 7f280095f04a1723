import { Global, Module } from '@nestjs/common';
import { AuditWriter } from '@plystra/db';
import { AccountSessionsService, LoginThrottle, PasswordHasher, SessionFlows, SessionService, SignInService, TokenHasher } from '@plystra/session';
import { DataSource } from 'typeorm';
import { CORE_CONFIG } from '../config/core-config.module';
import type { CoreConfig } from '../config/core-config';

/** libs/session wired with Core's configuration; the rules themselves live in the library. */
@Global()
@Module({
  providers: [
    { provide: TokenHasher, inject: [CORE_CONFIG], useFactory: (c: CoreConfig) => new TokenHasher(c.sessionSecret, c.sessionSecretPrevious) },
    { provide: PasswordHasher, useFactory: () => new PasswordHasher() },
    {
      provide: SessionService,
      inject: [DataSource, TokenHasher, CORE_CONFIG],
      useFactory: (ds: DataSource, hasher: TokenHasher, c: CoreConfig) =>
        new SessionService(ds, hasher, {
          accessTtlSeconds: 15 * 60,
          refreshTtlSeconds: 30 * 24 * 3600,
          refreshReuseGraceSeconds: c.refreshReuseGraceSeconds,
          idleTimeoutSeconds: c.sessionIdleTimeoutSeconds,
        }),
    },
    { provide: LoginThrottle, inject: [DataSource, CORE_CONFIG], useFactory: (ds: DataSource, c: CoreConfig) => new LoginThrottle(ds, c.loginLimits) },
    {
      provide: SignInService,
      inject: [DataSource, SessionService, PasswordHasher, LoginThrottle],
      useFactory: (ds: DataSource, s: SessionService, p: PasswordHasher, t: LoginThrottle) => new SignInService(ds, s, p, t),
    },
    { provide: SessionFlows, inject: [SessionService, AuditWriter], useFactory: (s: SessionService, a: AuditWriter) => new SessionFlows(s, a) },
    {
      provide: AccountSessionsService,
      inject: [DataSource, SessionService, PasswordHasher, LoginThrottle, CORE_CONFIG, AuditWriter],
      useFactory: (ds: DataSource, s: SessionService, p: PasswordHasher, t: LoginThrottle, c: CoreConfig, a: AuditWriter) =>
        new AccountSessionsService(ds, s, p, () => t, () => c.passwordPolicy, a),
    },
  ],
  exports: [TokenHasher, PasswordHasher, SessionService, LoginThrottle, SignInService, SessionFlows, AccountSessionsService],
})
export class SessionModule {}
