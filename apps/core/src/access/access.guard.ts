import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { requestContextOf } from '@plystra/http';
import { ACCESS_METADATA, type AccessDeclaration, CACHED_API_KEY_METADATA, type ScopeRequest } from './access.decorators';
import { AccessPolicy } from './access-policy.service';
import { CredentialService } from './credential.service';
import type { Principal } from './principal';
import { ScopeResolver } from './scope.resolver';

/**
 * Every route passes here (an APP_GUARD): public routes go through; every other route
 * authenticates the caller and checks the permission it declares against the entity's real
 * scope. A route that declares nothing is refused at start-up (see AccessRegistry).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialService,
    private readonly policy: AccessPolicy,
    private readonly scopes: ScopeResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const declaration = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_METADATA, [context.getHandler(), context.getClass()]);
    if (!declaration) throw new Error(`route ${context.getClass().name}.${context.getHandler().name} declares no access rule`);
    if (declaration.public) return true;
    const req = context.switchToHttp().getRequest<ScopeRequest>();
    const cachedApiKey = this.reflector.getAllAndOverride<boolean | undefined>(CACHED_API_KEY_METADATA, [context.getHandler(), context.getClass()]) === true;
    const principal = await this.credentials.authenticate(req, { cachedApiKey });
    requestContextOf(req).credential = principal;
    const scope = declaration.scope ? await declaration.scope(req, this.scopes) : {};
    await this.policy.assert(principal, { permission: declaration.permission, ...scope });
    return true;
  }
}

export function principalOf(credential: unknown): Principal {
  return credential as Principal;
}
