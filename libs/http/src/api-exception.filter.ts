import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Request, Response } from 'express';
import {
  PG_CHARACTER_NOT_IN_REPERTOIRE, PG_CHECK_VIOLATION, PG_DATETIME_OUT_OF_RANGE, PG_FOREIGN_KEY_VIOLATION,
  PG_INVALID_DATETIME_FORMAT, PG_INVALID_TEXT_REPRESENTATION, PG_NOT_NULL_VIOLATION, PG_NUMERIC_OUT_OF_RANGE,
  PG_STRING_TOO_LONG, PG_UNIQUE_VIOLATION, PG_UNTRANSLATABLE_CHARACTER, pgErrorInfo,
} from '@plystra/db';
import { ApiError } from './api-error';
import { SECURITY_HEADERS } from './edge.middleware';
import { HTTP_PLATFORM_OPTIONS, type HttpPlatformOptions } from './http-options';
import { acceptOrCreateRequestId } from './request-id';
import type { RequestWithContext } from './request-context';

const PG_BAD_VALUE = new Set([
  PG_CHECK_VIOLATION, PG_NOT_NULL_VIOLATION, PG_INVALID_TEXT_REPRESENTATION, PG_STRING_TOO_LONG, PG_NUMERIC_OUT_OF_RANGE,
  PG_DATETIME_OUT_OF_RANGE, PG_INVALID_DATETIME_FORMAT, PG_UNTRANSLATABLE_CHARACTER, PG_CHARACTER_NOT_IN_REPERTOIRE,
]);
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);

interface ExpressLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

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
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const requestId = (req as RequestWithContext).plystra?.requestId ?? acceptOrCreateRequestId(req.headers['x-request-id']);
    const error = this.toApiError(exception, req);
    if (error.status >= 500) {
      this.options.logger.error({ request_id: requestId, err: exception instanceof Error ? { message: exception.message, stack: exception.stack } : String(exception) }, 'request failed');
    }
    if (res.headersSent) return;
    const hideDetails = error.code === 'INTERNAL_ERROR' && this.options.production;
    // Errors raised before the edge middleware ran (a path outside its mount, a parameter that
    // cannot be decoded) still carry the security headers.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    res.setHeader('X-Request-ID', requestId);
    res.setHeader('X-Plystra-Error-Code', error.code);
    // A route may have declared another content type for its success answer; errors are JSON.
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.status(error.status).json({
      error: { code: error.code, message: error.message, details: hideDetails ? null : error.details, request_id: requestId, ...error.extra },
      request_id: requestId,
    });
  }

  private toApiError(exception: unknown, req: Request): ApiError {
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
        if (this.otherMethodMatches(req)) return new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}.`);
        return new ApiError(404, 'NOT_FOUND', `No route matches ${req.method} ${req.path}.`);
      }
      if (status === 413) return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
      if (status < 500) return new ApiError(status, status === 401 ? 'AUTHENTICATION_REQUIRED' : status === 403 ? 'ADMIN_PERMISSION_REQUIRED' : 'VALIDATION_FAILED', exception.message);
    }
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

  private otherMethodMatches(req: Request): boolean {
    const app = this.adapterHost.httpAdapter?.getInstance?.() as { router?: { stack: ExpressLayer[] } } | undefined;
    const stack = app?.router?.stack ?? [];
    const method = req.method.toLowerCase();
    return stack.some((layer) => layer.route && !layer.route.methods[method] && safeMatch(layer, req.path));
  }
}

function safeMatch(layer: ExpressLayer, path: string): boolean {
  try {
    return layer.match(path);
  } catch {
    return false;
  }
}
