import { Global, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { TokenHasher } from '@plystra/session';
import { CORE_CONFIG } from '../config/core-config.module';
import type { CoreConfig } from '../config/core-config';
import { AccessGuard } from './access.guard';
import { AccessPolicy } from './access-policy.service';
import { AccessRegistry } from './access-registry';
import { API_KEY_HASHER, CredentialService } from './credential.service';
import { ScopeResolver } from './scope.resolver';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    { provide: API_KEY_HASHER, inject: [CORE_CONFIG], useFactory: (c: CoreConfig) => new TokenHasher(c.apiKeySecret, c.apiKeySecretPrevious) },
    CredentialService,
    AccessPolicy,
    ScopeResolver,
    AccessRegistry,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [API_KEY_HASHER, CredentialService, AccessPolicy, ScopeResolver, AccessRegistry],
})
export class AccessModule {}
