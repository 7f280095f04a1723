/** Error codes of the HTTP API, one catalogue for every service. */
export const ErrorCodes = {
  VALIDATION_FAILED: 400,
  AUTHENTICATION_REQUIRED: 401,
  SESSION_EXPIRED: 401,
  METRICS_TOKEN_REQUIRED: 401,
  ADMIN_PERMISSION_REQUIRED: 403,
  ACTIVE_MEMBER_REQUIRED: 403,
  INLINE_CONTEXT_REQUIRES_API_KEY: 403,
  REGISTRATION_DISABLED: 403,
  AUTHORIZATION_DENIED: 403,
  NOT_FOUND: 404,
  FEATURE_DISABLED: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  LAST_SUPER_ADMIN: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_HEADERS_TOO_LARGE: 431,
  AUTH_RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  EMAIL_DELIVERY_FAILED: 502,
  NOT_READY: 503,
  AUDIT_UNAVAILABLE: 503,
  EMAIL_DELIVERY_NOT_CONFIGURED: 503,
  REGISTRATION_LOCK_UNAVAILABLE: 503,
} as const;

export type CatalogueCode = keyof typeof ErrorCodes;

/** Entities with their own `<ENTITY>_NOT_FOUND` / `<ENTITY>_CONFLICT` codes. */
export type EntityName =
  | 'USER' | 'SPACE' | 'GROUP' | 'MEMBER' | 'USER_MEMBER' | 'ROLE' | 'MEMBER_ROLE' | 'PERMISSION' | 'ROLE_PERMISSION'
  | 'RESOURCE' | 'RESOURCE_TYPE' | 'RESOURCE_ACTION' | 'RESOURCE_MAPPING' | 'AUDIT_LOG' | 'API_KEY' | 'ADMIN_GRANT' | 'CHALLENGE';

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A failure that is the client's to fix (or a refusal), with its code and status. Services throw
 * these; one exception filter turns them into the error envelope.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    /** Extra fields placed on the error object (deny_code, trace_id, audit_log_id). */
    readonly extra: Record<string, unknown> = {},
    /** Extra response headers (Retry-After, trace headers). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  static of(code: CatalogueCode, message: string, details: unknown = null): ApiError {
    return new ApiError(ErrorCodes[code], code, message, details);
  }

  static validation(message: string, fields: FieldProblem[] = []): ApiError {
    return new ApiError(400, 'VALIDATION_FAILED', message, fields.length ? { fields } : null);
  }

  static notFound(entity: EntityName, id?: string): ApiError {
    const name = entity.toLowerCase().replace(/_/g, ' ');
    return new ApiError(404, `${entity}_NOT_FOUND`, id ? `${name} ${JSON.stringify(id)} was not found.` : `${name} was not found.`);
  }

  static conflict(code: string, message: string): ApiError {
    return new ApiError(409, code, message);
  }

  static rateLimited(retryAfterSeconds: number, message = 'Too many attempts; try again later.'): ApiError {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    return new ApiError(429, 'AUTH_RATE_LIMITED', message, { retry_after_seconds: seconds }, {}, { 'Retry-After': String(seconds) });
  }
}
