import { SetMetadata, applyDecorators } from '@nestjs/common';
import { API_KEY_SCHEME, ApiCredentials, ApiErrors, BEARER_SCHEME } from '@plystra/http';
import type { ScopeResolver } from './scope.resolver';

export const ACCESS_METADATA = 'plystra:access';

/** The part of a request a scope function may read: raw, since guards run before validation pipes; treat every value as untrusted. */
export interface ScopeRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown> | undefined;
}

/** Where a requirement applies; empty for instance-wide or handler-resolved routes. */
export interface ScopeRef {
  spaceId?: string | null;
  groupId?: string | null;
}

export type ScopeFn = (req: ScopeRequest, scopes: ScopeResolver) => ScopeRef | Promise<ScopeRef>;

export type AccessDeclaration = { public: true } | { public: false; permission: string; scope?: ScopeFn };

export const CACHED_API_KEY_METADATA = 'plystra:cached-api-key';

/**
 * The handler confirms a cached API key itself, against the `api_key_version` its own query reads
 * (see `confirmedPrincipal`), so the guard may serve the key from the cache without a lookup.
 */
export const ConfirmsCachedApiKey = () => SetMetadata(CACHED_API_KEY_METADATA, true);

/** A route anyone may call (health, login…); it authenticates itself if it needs to. */
export const Public = () => SetMetadata(ACCESS_METADATA, { public: true } satisfies AccessDeclaration);

/**
 * The permission a route needs, and where: `scope` resolves the real space/group of the entity
 * from the database. Without a scope the requirement is instance-wide, except for the
 * handler-resolved permissions (authz:check, api_keys:*, admin_grants:*), whose handlers check
 * the real target themselves.
 */
export const RequirePermission = (permission: string, scope?: ScopeFn) =>
  applyDecorators(
    SetMetadata(ACCESS_METADATA, { public: false, permission, scope } satisfies AccessDeclaration),
    // OpenAPI: a bearer access token or an API key, and the guard's refusals.
    ApiCredentials(BEARER_SCHEME, API_KEY_SCHEME),
    ApiErrors('AUTHENTICATION_REQUIRED', 'SESSION_EXPIRED', 'ADMIN_PERMISSION_REQUIRED'),
  );
