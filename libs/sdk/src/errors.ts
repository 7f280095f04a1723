/**
 * Every failure of a Plystra call is a PlystraApiError. The subclass says what kind of failure it
 * is (by HTTP status, or by transport); `code` is the server's `error.code` (or one of the SDK's
 * own codes below) and is what programs should branch on.
 *
 * An authorization *deny* is not an error: `authz.check` resolves with `allow: false`.
 */

/** The SDK's own codes, for answers that did not carry a Plystra error envelope. */
export const SdkErrorCodes = {
  /** A success status whose body is not the JSON envelope. */
  INVALID_JSON_RESPONSE: 'INVALID_JSON_RESPONSE',
  /** An error status whose body is not the JSON error envelope (a proxy page, an empty body…). */
  HTTP_ERROR: 'HTTP_ERROR',
  /** The request never got an answer: refused connection, DNS failure, reset… */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** No complete answer within `timeoutMs`. */
  TIMEOUT: 'TIMEOUT',
  /** The caller's AbortSignal fired. */
  REQUEST_ABORTED: 'REQUEST_ABORTED',
} as const;

export interface PlystraErrorInit {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  requestId?: string | null;
  traceId?: string | null;
  auditLogId?: string | null;
  denyCode?: string | null;
  retryAfterSeconds?: number | null;
  cause?: unknown;
}

export class PlystraApiError extends Error {
  /** HTTP status; 0 when no answer arrived (network error, timeout). */
  readonly status: number;
  /** `error.code` of the envelope (`VALIDATION_FAILED`, `SESSION_EXPIRED`…) or an SdkErrorCodes value. */
  readonly code: string;
  readonly details: unknown;
  /** The request id the server answered with (`error.request_id`, or the `X-Request-ID` header). */
  readonly requestId: string | null;
  /** `X-Plystra-Trace-ID` / `error.trace_id`, when the failure was an authorization decision. */
  readonly traceId: string | null;
  /** `X-Plystra-Audit-Log-ID` / `error.audit_log_id`. */
  readonly auditLogId: string | null;
  readonly denyCode: string | null;
  /** From `Retry-After` or `details.retry_after_seconds` (429). */
  readonly retryAfterSeconds: number | null;

  constructor(init: PlystraErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? null;
    this.requestId = init.requestId ?? null;
    this.traceId = init.traceId ?? null;
    this.auditLogId = init.auditLogId ?? null;
    this.denyCode = init.denyCode ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
  }
}

/** 401: no credential, a bad one, or an expired session that could not be refreshed. */
export class PlystraAuthError extends PlystraApiError {}

/** 403: the credential is valid but not allowed (`ADMIN_PERMISSION_REQUIRED`, `ACTIVE_MEMBER_REQUIRED`…). */
export class PlystraAuthorizationError extends PlystraApiError {}

/** 400, 409, 413, 422: the request itself must change (`VALIDATION_FAILED`, `*_CONFLICT`, `PAYLOAD_TOO_LARGE`…). */
export class PlystraValidationError extends PlystraApiError {}

/** No answer: connection refused or reset, DNS failure, aborted by the caller. `status` is 0. */
export class PlystraNetworkError extends PlystraApiError {}

/** No complete answer within `timeoutMs`. `status` is 0. A sibling of PlystraNetworkError, not a subclass. */
export class PlystraTimeoutError extends PlystraApiError {}

/** The error class for an HTTP status. */
export function errorForStatus(init: PlystraErrorInit): PlystraApiError {
  switch (init.status) {
    case 401:
      return new PlystraAuthError(init);
    case 403:
      return new PlystraAuthorizationError(init);
    case 400:
    case 409:
    case 413:
    case 422:
      return new PlystraValidationError(init);
    default:
      return new PlystraApiError(init);
  }
}
