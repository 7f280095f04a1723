import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';

/**
 * What the edge needs from a request or an answer, whichever adapter serves it. Nest hands
 * middleware the Node request and response on both adapters (Express's extend them); guards,
 * interceptors and filters get Express's objects or Fastify's `request`/`reply`, which wrap the
 * Node ones in `.raw`.
 */
type Wrapped<T> = T & { raw?: T };

/** The Node request under any adapter's request object. */
export function rawRequestOf(req: unknown): IncomingMessage {
  const wrapped = req as Wrapped<IncomingMessage>;
  return wrapped.raw ?? wrapped;
}

/** The Node response under any adapter's answer object. */
export function rawResponseOf(res: unknown): ServerResponse {
  const wrapped = res as Wrapped<ServerResponse>;
  return wrapped.raw ?? wrapped;
}

/** The request target as the client sent it (Express and @fastify/middie may rewrite `url` for mounted middleware). */
function requestTarget(req: unknown): string {
  const raw = rawRequestOf(req) as IncomingMessage & { originalUrl?: string };
  const target = raw.originalUrl ?? raw.url ?? '/';
  if (target.charCodeAt(0) === 47 /* / */) return target;
  // Absolute form (`GET http://host/path HTTP/1.1`): the path is what is routed.
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return target;
  }
}

/** The request's path, without the query: Express's `req.path`, worked out the same way elsewhere. */
export function requestPathOf(req: unknown): string {
  const express = req as { path?: unknown };
  if (typeof express.path === 'string') return express.path;
  const target = requestTarget(req);
  const query = target.indexOf('?');
  return query >= 0 ? target.slice(0, query) : target;
}

/** The request's query parameters, parsed as Express's default ("simple") query parser does. */
export function requestQueryOf(req: unknown): Record<string, unknown> {
  const target = requestTarget(req);
  const query = target.indexOf('?');
  return query >= 0 ? { ...parseQueryString(target.slice(query + 1)) } : {};
}

/** Whether the answer has started (its status line and headers are on the wire). */
export function answerStarted(res: unknown): boolean {
  const reply = res as { sent?: unknown; raw?: ServerResponse; headersSent?: boolean };
  if (reply.raw) return reply.sent === true || reply.raw.headersSent;
  return reply.headersSent === true;
}

/** Sets a header on any adapter's answer object (Express and Node `setHeader`, Fastify `header`). */
export function setAnswerHeader(res: unknown, name: string, value: string): void {
  const target = res as { setHeader?(n: string, v: string): void; header?(n: string, v: string): void };
  if (typeof target.setHeader === 'function') target.setHeader(name, value);
  else target.header?.(name, value);
}

/**
 * Sends a JSON answer with its status and headers on any adapter's answer object: Express's
 * response, Fastify's reply, or the bare Node response a middleware was given.
 */
export function sendJsonAnswer(res: unknown, status: number, headers: Record<string, string>, body: unknown): void {
  const json = JSON.stringify(body);
  const express = res as { status?(code: number): { json(body: unknown): void }; json?: unknown; setHeader(n: string, v: string): void };
  if (typeof express.status === 'function' && typeof express.json === 'function') {
    for (const [name, value] of Object.entries(headers)) express.setHeader(name, value);
    express.status(status).json(body);
    return;
  }
  const reply = res as { raw?: ServerResponse; code?(status: number): unknown; headers?(values: Record<string, string>): unknown; send?(body: string): unknown };
  if (reply.raw && typeof reply.code === 'function' && typeof reply.send === 'function') {
    reply.headers!(headers);
    reply.code(status);
    reply.send(json);
    return;
  }
  const raw = res as ServerResponse;
  for (const [name, value] of Object.entries(headers)) raw.setHeader(name, value);
  raw.setHeader('Content-Length', String(Buffer.byteLength(json)));
  raw.statusCode = status;
  raw.end(json);
}
