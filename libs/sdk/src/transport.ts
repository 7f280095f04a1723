import {
  PlystraApiError, PlystraAuthError, PlystraNetworkError, PlystraTimeoutError, SdkErrorCodes, errorForStatus,
} from './errors';
import type { Pagination, PlystraTokens, TokenPair } from './types';

/** The subset of `fetch` the SDK uses; pass your own (a wrapper, undici, a test double) as `fetch`. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type TokenChangeListener = (tokens: PlystraTokens | null) => void | Promise<void>;

export interface TransportOptions {
  /** Core's address: `https://plystra.example.com` (a trailing `/api/v1` is accepted). */
  baseUrl: string;
  /** The auth plugin's address, for `client.completeAuth`. */
  completeAuthBaseUrl?: string;
  accessToken?: string;
  refreshToken?: string;
  /** Sent as `X-Plystra-API-Key`. */
  apiKey?: string;
  /** Called after every change of the stored tokens (login, refresh, logout, failed refresh → null). Awaited. */
  onTokenChange?: TokenChangeListener;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** The published js-sdk's name for `fetch`; `fetch` wins when both are given. */
  fetchImpl?: FetchLike;
  /** Per attempt, including reading the body. Default 10 000 ms. */
  timeoutMs?: number;
  /** Added to every request; the SDK's own headers (credentials, request id, content type) win. */
  defaultHeaders?: Record<string, string>;
}

export type Service = 'core' | 'completeAuth';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the service's `/api/v1` (or absolute from the service root when `root` is set). */
  path: string;
  query?: object;
  body?: unknown;
  /** `none`: send no credential (login, refresh, public routes). Default `auto`. */
  auth?: 'auto' | 'none';
  service?: Service;
  /** The path is taken from the service root instead of `/api/v1` (the plugin's `/health`). */
  root?: boolean;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  pagination: Pagination | null;
  requestId: string | null;
  status: number;
  headers: Headers;
}

interface TokenState {
  accessToken: string | null;
  refreshToken: string | null;
  expiresAt: string | null;
  refreshExpiresAt: string | null;
  /** The refresh in flight, shared by every caller (single-flight). */
  refreshing: Promise<TokenPair> | null;
}

const API_PREFIX = '/api/v1';
const DEFAULT_TIMEOUT_MS = 10_000;
/** What Core accepts as X-Request-ID (1–128 printable ASCII, no space, quotes or backslash). */
const REQUEST_ID = /^[\x21\x23-\x26\x28-\x5b\x5d-\x7e]{1,128}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

function normaliseBase(url: string): string {
  let base = url.trim().replace(/\/+$/, '');
  if (base.endsWith(API_PREFIX)) base = base.slice(0, -API_PREFIX.length);
  return base;
}

function queryString(query: object | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function retryAfter(headers: Headers, details: unknown): number | null {
  if (isObject(details) && typeof details.retry_after_seconds === 'number') return details.retry_after_seconds;
  const header = Number(headers.get('retry-after'));
  return Number.isFinite(header) && header > 0 ? header : null;
}

/** The most telling part of a fetch failure (`ECONNREFUSED`, `ENOTFOUND`…); duck-typed, errors may come from another realm. */
function describeCause(cause: unknown): string {
  let current: unknown = cause;
  let message: string | null = null;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { code, message: text, cause: inner, errors } = current as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && code.length > 0) return code;
    if (message === null && typeof text === 'string' && text.length > 0) message = text;
    current = inner ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return message ?? String(cause);
}

/**
 * The HTTP core of the client. One instance per client; `withRequestId` copies share the token
 * state (and so the single refresh in flight) with their parent.
 */
export class Transport {
  private readonly bases: Record<Service, string | null>;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;

  private constructor(
    private readonly options: TransportOptions,
    private readonly state: TokenState,
    private readonly requestId: string | null,
  ) {
    this.bases = { core: normaliseBase(options.baseUrl), completeAuth: options.completeAuthBaseUrl ? normaliseBase(options.completeAuthBaseUrl) : null };
    const given = options.fetch ?? options.fetchImpl;
    if (!given && typeof globalThis.fetch !== 'function') throw new TypeError('No fetch implementation: pass `fetch` in the client options.');
    // The global is looked up per call (never bound early), so polyfills installed later still apply.
    this.fetchImpl = given ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  static create(options: TransportOptions): Transport {
    if (!options?.baseUrl) throw new TypeError('PlystraClient needs a baseUrl.');
    const state: TokenState = {
      accessToken: options.accessToken ?? null,
      refreshToken: options.refreshToken ?? null,
      expiresAt: null,
      refreshExpiresAt: null,
      refreshing: null,
    };
    return new Transport(options, state, null);
  }

  /** A transport sending `X-Request-ID: requestId` and sharing this one's tokens. */
  withRequestId(requestId: string): Transport {
    if (!REQUEST_ID.test(requestId)) throw new TypeError('A request id must be 1-128 printable ASCII characters without spaces, quotes or backslash.');
    return new Transport(this.options, this.state, requestId);
  }

  hasService(service: Service): boolean {
    return this.bases[service] !== null;
  }

  tokens(): PlystraTokens | null {
    const s = this.state;
    if (!s.accessToken && !s.refreshToken) return null;
    return { accessToken: s.accessToken, refreshToken: s.refreshToken, expiresAt: s.expiresAt, refreshExpiresAt: s.refreshExpiresAt };
  }

  /** Replaces the stored tokens without calling onTokenChange (the caller made the change). */
  setTokens(tokens: PlystraTokens | null): void {
    this.state.accessToken = tokens?.accessToken ?? null;
    this.state.refreshToken = tokens?.refreshToken ?? null;
    this.state.expiresAt = tokens?.expiresAt ?? null;
    this.state.refreshExpiresAt = tokens?.refreshExpiresAt ?? null;
  }

  /** Stores a login bundle's (or a refresh's) tokens and reports them. */
  async storeTokens(pair: Pick<TokenPair, 'access_token' | 'refresh_token'> & Partial<TokenPair>): Promise<void> {
    this.setTokens({ accessToken: pair.access_token, refreshToken: pair.refresh_token, expiresAt: pair.expires_at ?? null, refreshExpiresAt: pair.refresh_expires_at ?? null });
    await this.options.onTokenChange?.(this.tokens());
  }

  async clearTokens(): Promise<void> {
    this.setTokens(null);
    await this.options.onTokenChange?.(null);
  }

  /**
   * One API call. A `SESSION_EXPIRED` answer to a call made with the stored access token triggers
   * one refresh (shared with every concurrent caller) and one retry. An `AUTHENTICATION_REQUIRED`
   * answer to a token that a refresh replaced while the call was in flight (the server no longer
   * knows a rotated token, so it is "not valid" rather than "expired") is retried once with the
   * new token, without refreshing. Whatever the retry answers is final, so a request never
   * refreshes twice.
   */
  async request<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    const usedAccessToken = spec.auth === 'none' ? null : this.state.accessToken;
    try {
      return await this.send<T>(spec, usedAccessToken);
    } catch (error) {
      if (!(error instanceof PlystraAuthError) || !usedAccessToken) throw error;
      if (error.code === 'SESSION_EXPIRED') await this.refreshAfterExpiry(usedAccessToken, error);
      else if (error.code !== 'AUTHENTICATION_REQUIRED' || !(await this.replacedSince(usedAccessToken))) throw error;
      return this.send<T>(spec, this.state.accessToken);
    }
  }

  /** Whether the stored access token is no longer `token` (once any refresh in flight has settled). */
  private async replacedSince(token: string): Promise<boolean> {
    await this.state.refreshing?.catch(() => undefined);
    return this.state.accessToken !== null && this.state.accessToken !== token;
  }

  /**
   * Refreshes the stored session, or joins the refresh already in flight. Rotated tokens are
   * stored and reported; a refused refresh (400/401/403) clears them and reports null.
   */
  refreshStored(): Promise<TokenPair> {
    if (!this.state.refreshing) {
      const refreshToken = this.state.refreshToken;
      if (!refreshToken) {
        return Promise.reject(new PlystraAuthError({ status: 401, code: 'AUTHENTICATION_REQUIRED', message: 'No refresh token is stored; sign in again.' }));
      }
      this.state.refreshing = this.runRefresh(refreshToken).finally(() => {
        this.state.refreshing = null;
      });
    }
    return this.state.refreshing;
  }

  private async refreshAfterExpiry(staleAccessToken: string, expired: PlystraAuthError): Promise<void> {
    // Someone else already rotated the pair while this request was in flight: just retry.
    if (!this.state.refreshing && this.state.accessToken && this.state.accessToken !== staleAccessToken) return;
    if (!this.state.refreshing && !this.state.refreshToken) throw expired;
    await this.refreshStored();
  }

  private async runRefresh(refreshToken: string): Promise<TokenPair> {
    let pair: TokenPair;
    try {
      pair = (await this.send<TokenPair>({ method: 'POST', path: '/auth/refresh', body: { refresh_token: refreshToken }, auth: 'none' }, null)).data;
    } catch (error) {
      const refused = error instanceof PlystraApiError && (error.status === 400 || error.status === 401 || error.status === 403);
      // Only forget the session the refresh was about (a login may have replaced it meanwhile).
      if (refused && this.state.refreshToken === refreshToken) await this.clearTokens();
      throw error;
    }
    if (this.state.refreshToken === refreshToken) await this.storeTokens(pair);
    return pair;
  }

  private url(spec: RequestSpec): string {
    const base = this.bases[spec.service ?? 'core'];
    if (base === null) throw new TypeError('completeAuthBaseUrl is not configured: pass it in the PlystraClient options.');
    return `${base}${spec.root ? '' : API_PREFIX}${spec.path}${queryString(spec.query)}`;
  }

  private headers(spec: RequestSpec, accessToken: string | null): Record<string, string> {
    const headers: Record<string, string> = { ...this.options.defaultHeaders, Accept: 'application/json' };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.requestId) headers['X-Request-ID'] = this.requestId;
    if (spec.auth !== 'none') {
      if (this.options.apiKey) headers['X-Plystra-API-Key'] = this.options.apiKey;
      if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    }
    return headers;
  }

  private async send<T>(spec: RequestSpec, accessToken: string | null): Promise<ApiResponse<T>> {
    const url = this.url(spec);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onCallerAbort = () => controller.abort();
    if (spec.signal?.aborted) controller.abort();
    spec.signal?.addEventListener('abort', onCallerAbort, { once: true });

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method: spec.method,
        headers: this.headers(spec, accessToken),
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: controller.signal,
      });
      text = await response.text();
    } catch (cause) {
      if (timedOut) {
        throw new PlystraTimeoutError({ status: 0, code: SdkErrorCodes.TIMEOUT, message: `${spec.method} ${url} did not answer within ${this.timeoutMs} ms.`, requestId: this.requestId, cause });
      }
      if (spec.signal?.aborted) {
        throw new PlystraNetworkError({ status: 0, code: SdkErrorCodes.REQUEST_ABORTED, message: `${spec.method} ${url} was aborted.`, requestId: this.requestId, cause });
      }
      const reason = describeCause(cause);
      throw new PlystraNetworkError({ status: 0, code: SdkErrorCodes.NETWORK_ERROR, message: `${spec.method} ${url} failed: ${reason}.`, requestId: this.requestId, cause });
    } finally {
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onCallerAbort);
    }
    return this.decode<T>(spec, response, text);
  }

  private decode<T>(spec: RequestSpec, response: Response, text: string): ApiResponse<T> {
    const headers = response.headers;
    const headerRequestId = str(headers.get('x-request-id')) ?? this.requestId;
    let body: unknown = undefined;
    let parsed = false;
    if (text.trim().length > 0) {
      try {
        body = JSON.parse(text);
        parsed = true;
      } catch {
        parsed = false;
      }
    }

    if (!response.ok) {
      const envelope = parsed && isObject(body) && isObject(body.error) ? body.error : null;
      if (envelope && typeof envelope.code === 'string') {
        throw errorForStatus({
          status: response.status,
          code: envelope.code,
          message: str(envelope.message) ?? `HTTP ${response.status}`,
          details: envelope.details ?? null,
          requestId: str(envelope.request_id) ?? (isObject(body) ? str(body.request_id) : null) ?? headerRequestId,
          traceId: str(envelope.trace_id) ?? str(headers.get('x-plystra-trace-id')),
          auditLogId: str(envelope.audit_log_id) ?? str(headers.get('x-plystra-audit-log-id')),
          denyCode: str(envelope.deny_code),
          retryAfterSeconds: retryAfter(headers, envelope.details),
        });
      }
      throw errorForStatus({
        status: response.status,
        code: SdkErrorCodes.HTTP_ERROR,
        message: `${spec.method} ${spec.path} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} without a Plystra error envelope.`,
        details: parsed ? body : text.length ? { body: text.slice(0, 512) } : null,
        requestId: headerRequestId,
        traceId: str(headers.get('x-plystra-trace-id')),
        auditLogId: str(headers.get('x-plystra-audit-log-id')),
        retryAfterSeconds: retryAfter(headers, null),
      });
    }

    if (text.trim().length === 0) return { data: null as T, pagination: null, requestId: headerRequestId, status: response.status, headers };
    if (!parsed || !isObject(body) || !('data' in body)) {
      throw new PlystraApiError({
        status: response.status,
        code: SdkErrorCodes.INVALID_JSON_RESPONSE,
        message: `${spec.method} ${spec.path} answered HTTP ${response.status} with a body that is not the JSON envelope.`,
        details: { body: text.slice(0, 512) },
        requestId: headerRequestId,
      });
    }
    const pagination = isObject(body.pagination) ? (body.pagination as unknown as Pagination) : null;
    return { data: body.data as T, pagination, requestId: str(body.request_id) ?? headerRequestId, status: response.status, headers };
  }
}
