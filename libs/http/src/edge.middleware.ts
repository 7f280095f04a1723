import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { json } from 'body-parser';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error';
import { clientIp } from './client-ip';
import { requestPathOf } from './http-message';
import { HTTP_PLATFORM_OPTIONS, type HttpPlatformOptions } from './http-options';
import { acceptOrCreateRequestId } from './request-id';
import type { RequestWithContext } from './request-context';

/** Sent on every answer (core.md §3); the exception filter and the HTTP parser's error answers send them too. */
export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
const CORS_HEADERS = 'Authorization, Content-Type, X-Request-ID, X-Plystra-Metrics-Token, X-Plystra-API-Key';
const CORS_METHODS = 'GET, POST, PATCH, PUT, DELETE, OPTIONS';
const EXPOSED_HEADERS = 'X-Request-ID, X-Plystra-Error-Code, X-Plystra-Trace-ID, X-Plystra-Audit-Log-ID, Retry-After';

/** JSON.parse reviver: a body that tries to reach an object's prototype is refused. */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && value !== null && typeof value === 'object')) {
    throw new SyntaxError(`the key "${key}" is not allowed`);
  }
  return value;
}

/**
 * body-parser's own failures carry a `type` and a status (the exception filter maps them); a body
 * that cannot be decompressed (Content-Encoding gzip/deflate/br over bytes that are not) surfaces
 * as a bare zlib error instead, which is still the client's input: 400, never 500.
 */
function bodyError(error: unknown): unknown {
  const typed = error as { type?: unknown; status?: unknown };
  if (typeof typed?.type === 'string' && typeof typed.status === 'number') return error;
  return ApiError.validation('The request body could not be decoded.');
}

/**
 * Everything a request meets before routing, in order: request id, client IP, access log,
 * security headers, CORS, and the JSON body parser (size limit enforced before parsing).
 *
 * It works on the Node request and response, which Nest hands middleware on every adapter, so
 * Express and Fastify share it whole. The body is parsed here on both (Fastify's own content-type
 * parsing then takes what was parsed, see fastify.adapter.ts): one limit, one reviver, one set of
 * errors.
 */
@Injectable()
export class EdgeMiddleware implements NestMiddleware {
  private readonly parsers = new Map<number, ReturnType<typeof json>>();
  private cors: { list: string[]; set: Set<string> } = { list: [], set: new Set() };

  constructor(@Inject(HTTP_PLATFORM_OPTIONS) private readonly options: HttpPlatformOptions) {}

  /** The allowed origins, re-read per request (they may follow live settings); the set is rebuilt only when the list changes. */
  private corsOrigins(): Set<string> {
    const list = this.options.corsAllowedOrigins();
    if (list !== this.cors.list) this.cors = { list, set: new Set(list) };
    return this.cors.set;
  }

  async use(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): Promise<void> {
    const requestId = acceptOrCreateRequestId(req.headers['x-request-id']);
    const context = {
      requestId,
      ip: clientIp(req, this.options.trustProxy()),
      userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 512) : null,
      startedAt: performance.now(),
    };
    (req as RequestWithContext).plystra = context;
    res.setHeader('X-Request-ID', requestId);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    this.accessLog(req, res);

    const origin = req.headers.origin;
    const allowed = typeof origin === 'string' && this.corsOrigins().has(origin);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      if (allowed) {
        res.setHeader('Access-Control-Allow-Headers', CORS_HEADERS);
        res.setHeader('Access-Control-Allow-Methods', CORS_METHODS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.statusCode = 204;
      res.end();
      return;
    }

    await this.parseBody(req, res);
    next();
  }

  private parseBody(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const limit = this.options.bodyLimitBytes();
    let parser = this.parsers.get(limit);
    if (!parser) {
      parser = json({ limit, strict: false, reviver: refusePrototypeKeys, type: ['application/json', 'application/*+json'] });
      this.parsers.set(limit, parser);
    }
    // A declared length over the limit is refused before a byte of the body is read.
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      return Promise.reject(new ApiError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`, { limit_bytes: limit }));
    }
    return new Promise((resolve, reject) => parser(req, res, (error?: unknown) => (error ? reject(bodyError(error)) : resolve())));
  }

  private accessLog(req: IncomingMessage, res: ServerResponse): void {
    const context = (req as RequestWithContext).plystra;
    res.on('finish', () => {
      const status = res.statusCode;
      const line = {
        request_id: context.requestId,
        method: req.method,
        path: requestPathOf(req),
        status_code: status,
        latency_ms: Math.round((performance.now() - context.startedAt) * 100) / 100,
        remote_ip: context.ip,
        user_agent: context.userAgent,
        error_code: res.getHeader('X-Plystra-Error-Code') ?? undefined,
        trace_id: res.getHeader('X-Plystra-Trace-ID') ?? undefined,
        audit_log_id: res.getHeader('X-Plystra-Audit-Log-ID') ?? undefined,
      };
      if (status >= 500) this.options.logger.error(line, 'request');
      else this.options.logger.info(line, 'request');
    });
  }
}
