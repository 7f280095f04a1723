import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { rawRequestOf } from './http-message';

/** What the edge learned about a request: derived by the server, never taken from the body. */
export interface RequestContext {
  requestId: string;
  ip: string;
  userAgent: string | null;
  startedAt: number;
  /** Set by authentication guards. */
  credential?: unknown;
}

/** The Node request as the edge middleware leaves it (on Express and Fastify alike). */
export interface RequestWithContext extends IncomingMessage {
  plystra: RequestContext;
}

/**
 * The edge's context of a request: given the Node request (middleware, Express's request) or
 * Fastify's request object, whose `.raw` is the Node request the edge middleware saw.
 */
export function requestContextOf(req: unknown): RequestContext {
  return (req as Partial<RequestWithContext>).plystra ?? (rawRequestOf(req) as RequestWithContext).plystra;
}

/** `@Ctx() ctx: RequestContext` in a controller handler. */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  return requestContextOf(context.switchToHttp().getRequest());
});

/** Sets headers on the answer a handler is about to give, on whichever HTTP adapter serves it. */
export interface ResponseHeaders {
  set(name: string, value: string): void;
}

/** `@SetHeaders() headers: ResponseHeaders` in a controller handler. */
export const SetHeaders = createParamDecorator((_data: unknown, context: ExecutionContext): ResponseHeaders => {
  const res = context.switchToHttp().getResponse<{ setHeader?(n: string, v: string): void; header?(n: string, v: string): void }>();
  return { set: (name, value) => (typeof res.setHeader === 'function' ? res.setHeader(name, value) : res.header?.(name, value)) };
});

/** The raw `Authorization` / API-key headers, for authentication guards. */
export function headerOf(req: unknown, name: string): string | undefined {
  const headers = (req as Partial<IncomingMessage>).headers ?? rawRequestOf(req).headers;
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), if any. */
export function bearerToken(req: unknown): string | undefined {
  const header = headerOf(req, 'authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}
