import { CompleteAuthApi } from './complete-auth';
import { ActorApi, AdminApi, ApiKeysApi, AuditApi, AuthApi, AuthzApi, ConsoleApi, SystemApi } from './core-modules';
import {
  GroupsApi, MemberRolesApi, MembersApi, PermissionsApi, ResourceTypesApi, ResourcesApi, RolePermissionsApi, RolesApi, SpacesApi, UserMembersApi,
  UsersApi,
} from './management-modules';
import { type ApiResponse, type RequestSpec, Transport, type TransportOptions } from './transport';
import type { PlystraTokens } from './types';

export type PlystraClientOptions = TransportOptions;

/**
 * The Plystra client.
 *
 * ```ts
 * const plystra = new PlystraClient({ baseUrl: 'https://plystra.internal', apiKey: process.env.PLYSTRA_API_KEY });
 * const decision = await plystra.authz.check({ actor, resource_type: 'invoice', resource_id: id, action: 'approve' });
 * if (!decision.allow) throw new Forbidden(decision.deny_code, decision.trace_id);
 * ```
 *
 * Credentials: `apiKey` is sent as `X-Plystra-API-Key`, the access token as
 * `Authorization: Bearer …` (both when both are set; Core then uses the key, session-only routes
 * such as `actor.context` the bearer). A `SESSION_EXPIRED` answer is refreshed once, with one
 * refresh shared by every concurrent call, and the rotated pair is reported through
 * `onTokenChange`.
 */
export class PlystraClient {
  readonly system!: SystemApi;
  readonly auth!: AuthApi;
  readonly actor!: ActorApi;
  readonly admin!: AdminApi;
  readonly apiKeys!: ApiKeysApi;
  readonly authz!: AuthzApi;
  readonly audit!: AuditApi;
  readonly console!: ConsoleApi;
  readonly users!: UsersApi;
  readonly spaces!: SpacesApi;
  readonly groups!: GroupsApi;
  readonly members!: MembersApi;
  readonly userMembers!: UserMembersApi;
  readonly roles!: RolesApi;
  readonly memberRoles!: MemberRolesApi;
  readonly permissions!: PermissionsApi;
  readonly rolePermissions!: RolePermissionsApi;
  readonly resourceTypes!: ResourceTypesApi;
  readonly resources!: ResourcesApi;
  /** The auth plugin's flows; needs `completeAuthBaseUrl` (calls throw a TypeError without it). */
  readonly completeAuth!: CompleteAuthApi;
  private readonly transport!: Transport;

  constructor(options: PlystraClientOptions) {
    this.mount(Transport.create(options));
  }

  /**
   * A client sending `X-Request-ID: requestId` on every call, so the audit rows and logs of those
   * calls carry your request id. It shares this client's tokens (and refreshes) and options.
   */
  withRequestId(requestId: string): PlystraClient {
    const scoped = Object.create(PlystraClient.prototype) as PlystraClient;
    scoped.mount(this.transport.withRequestId(requestId));
    return scoped;
  }

  /** The stored tokens, or null when signed out. */
  tokens(): PlystraTokens | null {
    return this.transport.tokens();
  }

  /** Replaces the stored tokens (e.g. restored from storage). Does not call onTokenChange. */
  setTokens(tokens: PlystraTokens | null): void {
    this.transport.setTokens(tokens);
  }

  /** The raw call under every module method: the decoded envelope, for routes the modules do not cover. */
  request<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    return this.transport.request<T>(spec);
  }

  private mount(transport: Transport): void {
    Object.assign(this, {
      transport,
      system: new SystemApi(transport),
      auth: new AuthApi(transport),
      actor: new ActorApi(transport),
      admin: new AdminApi(transport),
      apiKeys: new ApiKeysApi(transport),
      authz: new AuthzApi(transport),
      audit: new AuditApi(transport),
      console: new ConsoleApi(transport),
      users: new UsersApi(transport),
      spaces: new SpacesApi(transport),
      groups: new GroupsApi(transport),
      members: new MembersApi(transport),
      userMembers: new UserMembersApi(transport),
      roles: new RolesApi(transport),
      memberRoles: new MemberRolesApi(transport),
      permissions: new PermissionsApi(transport),
      rolePermissions: new RolePermissionsApi(transport),
      resourceTypes: new ResourceTypesApi(transport),
      resources: new ResourcesApi(transport),
      completeAuth: new CompleteAuthApi(transport),
    });
  }
}
