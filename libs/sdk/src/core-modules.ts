import { ApiModule, reasonBody, seg } from './api-module';
import type {
  ActorContext, AdminGrant, AdminGrantCreate, AdminGrantQuery, AdminMe, ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyQuery, AuditLog,
  AuditLogItem, AuditLogQuery, AuthzBatchResult, AuthzCheckRequest, AuthzCheckResult, AuthzDecision, ConsoleOverview, CoreRegisterRequest,
  CoreRegisterResult, HealthStatus, LoginBundle, LoginRequest, LogoutResult, PasswordChangeRequest, PasswordChangeResult, PlystraPage, ReadyStatus,
  SessionInfo, SessionRevokeResult, SwitchMemberRequest, SwitchMemberResult, TokenPair, VersionInfo,
} from './types';

/** `GET /health`, `/ready`, `/version`: public, sent without credentials. */
export class SystemApi extends ApiModule {
  async health(): Promise<HealthStatus> {
    return (await this.transport.request<HealthStatus>({ method: 'GET', path: '/health', auth: 'none' })).data;
  }

  /** Throws a PlystraApiError with code `NOT_READY` (503) when the database is down or the schema behind. */
  async ready(): Promise<ReadyStatus> {
    return (await this.transport.request<ReadyStatus>({ method: 'GET', path: '/ready', auth: 'none' })).data;
  }

  async version(): Promise<VersionInfo> {
    return (await this.transport.request<VersionInfo>({ method: 'GET', path: '/version', auth: 'none' })).data;
  }
}

/**
 * Core's minimal login. `login` and `register` (when it signs in) store the tokens, `refresh`
 * stores the rotated pair, `logout` forgets them; each change is reported through onTokenChange.
 */
export class AuthApi extends ApiModule {
  async login(credentials: LoginRequest): Promise<LoginBundle> {
    const bundle = await this.httpPost<LoginBundle>('/auth/login', { email: credentials.email, password: credentials.password }, 'none');
    await this.transport.storeTokens(bundle);
    return bundle;
  }

  /**
   * Rotates the stored refresh token (joining a refresh already in flight), or the one given.
   * When the stored session's refresh is refused the tokens are cleared (onTokenChange(null)).
   */
  async refresh(refreshToken?: string): Promise<TokenPair> {
    const stored = this.transport.tokens()?.refreshToken ?? null;
    if (refreshToken === undefined || refreshToken === stored) return this.transport.refreshStored();
    const pair = await this.httpPost<TokenPair>('/auth/refresh', { refresh_token: refreshToken }, 'none');
    await this.transport.storeTokens(pair);
    return pair;
  }

  /**
   * Revokes the session of the given refresh token, else of the stored one (or, with only an
   * access token stored, of that). When it is the stored session, the stored tokens are
   * forgotten (and null reported) even if the call fails.
   */
  async logout(refreshToken?: string): Promise<LogoutResult> {
    const tokens = this.transport.tokens();
    const token = refreshToken ?? tokens?.refreshToken ?? null;
    const ownSession = !!tokens && (refreshToken === undefined || refreshToken === tokens.refreshToken);
    try {
      if (token) return await this.httpPost<LogoutResult>('/auth/logout', { refresh_token: token }, 'none');
      if (tokens?.accessToken) {
        return (await this.transport.request<LogoutResult>({ method: 'POST', path: '/auth/logout', body: {}, auth: 'auto' })).data;
      }
      return { logged_out: true };
    } finally {
      if (ownSession) await this.transport.clearTokens();
    }
  }

  /** Protected registration (core.md §6.1); stores the tokens when the answer carries a session. */
  async register(request: CoreRegisterRequest): Promise<CoreRegisterResult> {
    const result = await this.httpPost<CoreRegisterResult>('/auth/register', request, 'none');
    if ('access_token' in result && typeof result.access_token === 'string') await this.transport.storeTokens(result);
    return result;
  }

  /**
   * Changes the signed-in user's password (session bearer). A wrong current password is a
   * PlystraAuthError `AUTHENTICATION_REQUIRED` (and counts towards the login lock: 429
   * `AUTH_RATE_LIMITED`); an account without a password gets 409 `PASSWORD_NOT_SET`. Every other
   * session of the user ends; this client's session stays.
   */
  changePassword(request: PasswordChangeRequest): Promise<PasswordChangeResult> {
    return this.httpPost('/auth/password', { current_password: request.current_password, new_password: request.new_password });
  }

  /** The signed-in user's active sessions, newest first (at most 100; `current` marks this one). */
  sessions(): Promise<SessionInfo[]> {
    return this.httpGet('/auth/sessions');
  }

  /**
   * Ends one of the signed-in user's sessions (`SESSION_NOT_FOUND` 404 for any other id). Ending
   * this client's own session forgets the stored tokens, as logout does.
   */
  async revokeSession(sessionId: string): Promise<SessionRevokeResult> {
    const result = await this.httpPost<SessionRevokeResult>(`/auth/sessions/${seg(sessionId)}/revoke`);
    if (result.current) await this.transport.clearTokens();
    return result;
  }
}

/** The session's actor (session credentials only). */
export class ActorApi extends ApiModule {
  context(): Promise<ActorContext> {
    return this.httpGet('/actor/context');
  }

  switchMember(request: SwitchMemberRequest): Promise<SwitchMemberResult> {
    return this.httpPost('/actor/switch-member', request);
  }
}

export class AdminApi extends ApiModule {
  /** The caller's credential, grants and capabilities. */
  me(): Promise<AdminMe> {
    return this.httpGet('/admin/me');
  }

  listGrants(query?: AdminGrantQuery): Promise<PlystraPage<AdminGrant>> {
    return this.httpPage('/admin/grants', query);
  }

  getGrant(id: string): Promise<AdminGrant> {
    return this.httpGet(`/admin/grants/${seg(id)}`);
  }

  /** Only user sessions create grants (never API keys). */
  createGrant(grant: AdminGrantCreate): Promise<AdminGrant> {
    return this.httpPost('/admin/grants', grant);
  }

  /** `LAST_SUPER_ADMIN` (409) protects the last active super admin. */
  revokeGrant(id: string, reason?: string): Promise<AdminGrant> {
    return this.httpPost(`/admin/grants/${seg(id)}/revoke`, reasonBody('revoked_reason', reason));
  }
}

export class ApiKeysApi extends ApiModule {
  list(query?: ApiKeyQuery): Promise<PlystraPage<ApiKey>> {
    return this.httpPage('/api-keys', query);
  }

  /** The answer's `api_key` is the plaintext, shown this once. */
  create(key: ApiKeyCreate): Promise<ApiKeyCreated> {
    return this.httpPost('/api-keys', key);
  }

  get(id: string): Promise<ApiKey> {
    return this.httpGet(`/api-keys/${seg(id)}`);
  }

  revoke(id: string, reason?: string): Promise<ApiKey> {
    return this.httpPost(`/api-keys/${seg(id)}/revoke`, reasonBody('revoked_reason', reason));
  }
}

/**
 * The authorization check. A deny is a normal result (`allow: false`, with `deny_code`,
 * `trace_id` and `audit_log_id`), never an exception; exceptions mean the question could not be
 * answered (bad input, unknown actor or resource, missing `authz:check`, Core unreachable).
 */
export class AuthzApi extends ApiModule {
  check(request: AuthzCheckRequest & { explain: true }): Promise<AuthzDecision>;
  check(request: AuthzCheckRequest): Promise<AuthzCheckResult>;
  check(request: AuthzCheckRequest): Promise<AuthzCheckResult | AuthzDecision> {
    return this.httpPost('/authz/check', request);
  }

  /** The whole decision object (candidates, scope checks, snapshots). Recorded like a check. */
  explain(request: Omit<AuthzCheckRequest, 'explain'>): Promise<AuthzDecision> {
    return this.httpPost('/authz/explain', request);
  }

  /** Up to 100 checks in one request; one decision and one audit row each, in order. */
  checkBatch(checks: AuthzCheckRequest[]): Promise<AuthzBatchResult> {
    return this.httpPost('/authz/check-batch', { checks });
  }
}

export class AuditApi extends ApiModule {
  /** Newest first; `paginate((q) => client.audit.list(q), filters)` walks every page. */
  list(query?: AuditLogQuery): Promise<PlystraPage<AuditLogItem>> {
    return this.httpPage('/audit/logs', query);
  }

  get(id: string): Promise<AuditLog> {
    return this.httpGet(`/audit/logs/${seg(id)}`);
  }
}

export class ConsoleApi extends ApiModule {
  overview(): Promise<ConsoleOverview> {
    return this.httpGet('/console/overview');
  }
}
