import type { ApiError } from './api-error';
import { SECURITY_HEADERS } from './edge.middleware';
import { sendJsonAnswer } from './http-message';

/**
 * Writes an error as the envelope of core.md §3 on any adapter's answer object: status, the
 * error object, `X-Plystra-Error-Code`, the request id and the security headers (errors raised
 * before the edge middleware ran carry them too).
 */
export function sendErrorEnvelope(res: unknown, error: ApiError, requestId: string, hideDetails = false): void {
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    ...error.headers,
    'X-Request-ID': requestId,
    'X-Plystra-Error-Code': error.code,
    // A route may have declared another content type for its success answer; errors are JSON.
    'Content-Type': 'application/json; charset=utf-8',
  };
  sendJsonAnswer(res, error.status, headers, {
    error: { code: error.code, message: error.message, details: hideDetails ? null : error.details, request_id: requestId, ...error.extra },
    request_id: requestId,
  });
}
