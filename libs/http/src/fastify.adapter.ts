import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ApiError } from './api-error';
import { answerClientError } from './client-error';
import { sendErrorEnvelope } from './error-answer';
import { acceptOrCreateRequestId } from './request-id';

/** The methods a route was declared for, per Fastify instance (for 405). */
const declaredMethods = new WeakMap<object, Set<string>>();

/**
 * Everything Fastify-specific in the services: an adapter that routes, parses and refuses as the
 * Express one does.
 *
 * - Routing matches Express's defaults: case-insensitive, a trailing slash ignored, path
 *   parameters of any length (find-my-way's default of 100 characters would turn a long id into
 *   a 404 where Express answers the route's own error).
 * - Bodies: the edge middleware (EdgeMiddleware, shared by both adapters) reads and parses the
 *   JSON body from the Node request before Fastify's body stage runs. Fastify's own parsers are
 *   removed and one catch-all content-type parser hands over what the edge parsed, without
 *   reading the stream again: the same limit (function-valued, declared length refused before
 *   reading), reviver, content types, decompression and error answers as on Express. A content
 *   type the edge does not parse leaves the body undefined, as on Express (the validation pipe
 *   then answers 400), instead of Fastify's 415.
 * - Requests Node's parser refuses are answered by answerClientError, as `listen` does on Express;
 *   a URL the router cannot decode by the envelope (frameworkErrors).
 * - A string answer's Content-Type names its charset, as Express's res.send adds it.
 * - Swagger UI's assets are served from their folder without @fastify/static (not installed).
 */
export function createFastifyAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 64 * 1024 },
    return503OnClosing: false,
    logger: false,
    clientErrorHandler: answerClientError,
    // A URL the router cannot decode is answered before any hook or handler runs: in the
    // envelope, as Express answers a parameter it cannot decode (400, before the edge middleware).
    frameworkErrors: (_error: Error, request: FastifyRequest, reply: FastifyReply) => {
      sendErrorEnvelope(reply, ApiError.validation('The request URL could not be decoded.'), acceptOrCreateRequestId(request.headers['x-request-id']));
    },
  });
  const instance = adapter.getInstance() as unknown as FastifyInstance;
  const methods = new Set<string>();
  declaredMethods.set(instance, methods);
  instance.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) methods.add(String(method).toUpperCase());
  });
  // A text answer names its charset, as Express's res.send does for every string body.
  instance.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof payload === 'string' && typeof type === 'string' && !/;\s*charset=/i.test(type)) reply.header('content-type', `${type}; charset=utf-8`);
    return payload;
  });
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', (request, _payload, done) => done(null, (request.raw as { body?: unknown }).body));
  adapter.useStaticAssets = ((options: { root: string; prefix: string }) => serveAssets(instance, options.root, options.prefix)) as never;
  return adapter;
}

/** Whether a route for another method than `method` matches `path` (the request was then a wrong method, not an unknown route). */
export function fastifyOtherMethodMatches(instance: unknown, method: string, path: string): boolean {
  const fastify = instance as FastifyInstance;
  const wanted = method.toUpperCase();
  const routed = (candidate: string): boolean => {
    try {
      return fastify.findRoute({ method: candidate as never, url: path }) !== null;
    } catch {
      return false; // a path the router cannot decode matches no route
    }
  };
  // A route for this very method answered "not found" itself (a missing asset): 404, as on Express.
  if (routed(wanted)) return false;
  for (const other of declaredMethods.get(fastify) ?? []) {
    if (other !== wanted && routed(other)) return true;
  }
  return false;
}

const ASSET_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** What @fastify/static would do for Swagger UI: the files of one folder (no subfolders, no dot files) under a prefix. */
function serveAssets(instance: FastifyInstance, root: string, prefix: string): void {
  instance.get(`${prefix.replace(/\/$/, '')}/:asset`, async (request, reply) => {
    const name = (request.params as { asset: string }).asset;
    const type = ASSET_TYPES[extname(name).toLowerCase()];
    let content: Buffer | null = null;
    if (type && /^[\w][\w.-]*$/.test(name)) content = await readFile(join(root, name)).catch(() => null);
    if (!content) return reply.callNotFound();
    return reply.type(type!).send(content);
  });
}
