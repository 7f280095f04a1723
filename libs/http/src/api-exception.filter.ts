import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  PG_CHARACTER_NOT_IN_REPERTOIRE, PG_CHECK_VIOLATION, PG_DATETIME_OUT_OF_RANGE, PG_FOREIGN_KEY_VIOLATION,
  PG_INVALID_DATETIME_FORMAT, PG_INVALID_TEXT_REPRESENTATION, PG_NOT_NULL_VIOLATION, PG_NUMERIC_OUT_OF_RANGE,
  PG_STRING_TOO_LONG, PG_UNIQUE_VIOLATION, PG_UNTRANSLATABLE_CHARACTER, pgErrorInfo,
} from '@plystra/db';
import { ApiError } from './api-error';
import { sendErrorEnvelope } from './error-answer';
import { expressOtherMethodMatches } from './express.adapter';
import { fastifyOtherMethodMatches } from './fastify.adapter';
import { answerStarted, rawRequestOf, requestPathOf } from './http-message';
import { HTTP_PLATFORM_OPTIONS, type HttpPlatformOptions } from './http-options';
import { acceptOrCreateRequestId } from './request-id';
import { requestContextOf } from './request-context';

const PG_BAD_VALUE = new Set([
  PG_CHECK_VIOLATION, PG_NOT_NULL_VIOLATION, PG_INVALID_TEXT_REPRESENTATION, PG_STRING_TOO_LONG, PG_NUMERIC_OUT_OF_RANGE,
  PG_DATETIME_OUT_OF_RANGE, PG_INVALID_DATETIME_FORMAT, PG_UNTRANSLATABLE_CHARACTER, PG_CHARACTER_NOT_IN_REPERTOIRE,
]);
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);

/**
 * The one place an exception becomes an answer: every failure leaves as the error envelope with a
 * code, and nothing a client sends can produce a 500 (a bad value is 400, a duplicate 409, a
 * missing reference 404). Unexpected faults are logged with their stack and answered without it.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(
    @Inject(HTTP_PLATFORM_OPTIONS) private readonly options: HttpPlatformOptions,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    // Express's request and response, Fastify's request and reply, or (an error thrown in a
    // middleware on Fastify) the bare Node ones.
    const req = ctx.getRequest<unknown>();
    const res = ctx.getResponse<unknown>();
    const requestId = requestContextOf(req)?.requestId ?? acceptOrCreateRequestId(rawRequestOf(req).headers['x-request-id']);
    const error = this.toApiError(exception, req);
    if (error.status >= 500) {
      this.options.logger.error({ request_id: requestId, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception) }, 'request failed');
    }
    if (answerStarted(res)) return;
    sendErrorEnvelope(res, error, requestId, error.code === 'INTERNAL_ERROR' && this.options.production);
  }

  private toApiError(exception: unknown, req: unknown): ApiError {
    if (exception instanceof ApiError) return exception;
    const bodyError = exception as { type?: string; status?: number };
    if (typeof bodyError?.type === 'string' && typeof bodyError.status === 'number') {
      switch (bodyError.type) {
        case 'entity.too.large':
          return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
        case 'entity.parse.failed':
          return ApiError.validation('The request body is not valid JSON.');
        case 'encoding.unsupported':
        case 'charset.unsupported':
          return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body encoding is not supported.');
        default:
          return ApiError.validation('The request body could not be read.');
      }
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) {
        const method = rawRequestOf(req).method ?? 'GET';
        const path = requestPathOf(req);
        if (this.otherMethodMatches(method, path)) return new ApiError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}.`);
        return new ApiError(404, 'NOT_FOUND', `No route matches ${method} ${path}.`);
      }
      if (status === 413) return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
      if (status < 500) return new ApiError(status, status === 401 ? 'AUTHENTICATION_REQUIRED' : status === 403 ? 'ADMIN_PERMISSION_REQUIRED' : 'VALIDATION_FAILED', exception.message);
    }
    const fastifyError = fastifyClientError(exception);
    if (fastifyError) return fastifyError;
    const pg = pgErrorInfo(exception);
    if (pg) {
      if (pg.code === PG_UNIQUE_VIOLATION) return ApiError.conflict('CONFLICT', 'A record with the same unique value already exists.');
      if (pg.code === PG_FOREIGN_KEY_VIOLATION) return new ApiError(404, 'NOT_FOUND', 'A referenced record does not exist (or is in another space).');
      if (PG_BAD_VALUE.has(pg.code)) return ApiError.validation('A value is not acceptable.');
      if (UNAVAILABLE.has(pg.code)) return ApiError.of('NOT_READY', 'The database is not available; try again shortly.');
    }
    const code = (exception as { code?: unknown })?.code;
    if (typeof code === 'string' && UNAVAILABLE.has(code)) return ApiError.of('NOT_READY', 'The database is not available; try again shortly.');
    if (exception instanceof Error && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(exception.message)) {
      return ApiError.of('NOT_READY', 'The database is not available; try again shortly.');
    }
    return ApiError.of('INTERNAL_ERROR', 'An unexpected error occurred.');
  }

  /** Whether the path has a route for another method: 405 instead of 404. */
  private otherMethodMatches(method: string, path: string): boolean {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return false;
    const instance = adapter.getInstance?.();
    return adapter.getType() === 'fastify' ? fastifyOtherMethodMatches(instance, method, path) : expressOtherMethodMatches(instance, method, path);
  }
}

/**
 * Fastify's own refusals of a request (a URL it cannot decode, a malformed Content-Type or
 * Content-Length…) carry a `FST_ERR_*` code and a 4xx status: the client's input, answered in the
 * envelope with the code the Express path gives the same input.
 */
function fastifyClientError(exception: unknown): ApiError | null {
  const error = exception as { code?: unknown; statusCode?: unknown };
  if (typeof error?.code !== 'string' || !error.code.startsWith('FST_') || typeof error.statusCode !== 'number') return null;
  const status = error.statusCode;
  if (status < 400 || status >= 500) return null;
  if (status === 413) return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
  if (status === 415) return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body encoding is not supported.');
  if (status === 404) return new ApiError(404, 'NOT_FOUND', 'No route matches the request.');
  if (status === 408) return ApiError.of('REQUEST_TIMEOUT', 'The request did not arrive in time.');
  return ApiError.validation('The request could not be read.');
}
