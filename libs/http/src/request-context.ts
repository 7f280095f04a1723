import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** What the edge learned about a request: derived by the server, never taken from the body. */
export interface RequestContext {
  requestId: string;
  ip: string;
  userAgent: string | null;
  startedAt: number;
  /** Set by authentication guards. */
  credential?: unknown;
}

export interface RequestWithContext extends Request {
  plystra: RequestContext;
}

export function requestContextOf(req: unknown): RequestContext {
  return (req as RequestWithContext).plystra;
}

/** `@Ctx() ctx: RequestContext` in a controller handler. */
export const Ctx = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext => {
  return requestContextOf(context.switchToHttp().getRequest());
});

/** The raw `Authorization` / API-key headers, for authentication guards. */
export function headerOf(req: unknown, name: string): string | undefined {
  const value = (req as Request).headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
