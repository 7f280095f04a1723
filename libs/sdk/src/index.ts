/**
 * `@plystra/sdk`: the TypeScript client of Plystra Core and of the Complete Auth plugin.
 * Depends only on the global `fetch` (Node ≥ 18, browsers, Deno, Bun, workers). The NestJS guard
 * lives in the separate entry `@plystra/sdk/nest` (libs/sdk/src/nest.ts), so this entry never
 * loads `@nestjs/common`.
 */
export { PlystraClient, type PlystraClientOptions } from './client';
export {
  PlystraApiError, PlystraAuthError, PlystraAuthorizationError, PlystraNetworkError, PlystraTimeoutError, PlystraValidationError,
  SdkErrorCodes, type PlystraErrorInit,
} from './errors';
export { collectAll, pages, paginate, type PageFetcher } from './pagination';
export type { ApiResponse, FetchLike, RequestSpec, Service, TokenChangeListener, TransportOptions } from './transport';
export type * from './types';
export { CompleteAuthApi } from './complete-auth';
export { ActorApi, AdminApi, ApiKeysApi, AuditApi, AuthApi, AuthzApi, ConsoleApi, SystemApi } from './core-modules';
export {
  GroupsApi, MemberRolesApi, MembersApi, PermissionsApi, ResourceTypesApi, ResourcesApi, RolePermissionsApi, RolesApi, SpacesApi, UserMembersApi,
  UsersApi,
} from './management-modules';
