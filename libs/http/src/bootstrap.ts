import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type CatalogueCode, ErrorCodes } from './api-error';
import { SECURITY_HEADERS } from './edge.middleware';
import { PinoNestLogger } from './logger';
import { acceptOrCreateRequestId } from './request-id';

export interface HttpServerLimits {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
}

/**
 * Creates a service's Nest application on the HTTP adapter. The adapter is chosen here and only
 * here; services never touch Express directly. `preview` builds the module graph without
 * instantiating any provider (no database connection): enough to describe the routes.
 */
export async function createHttpApplication(module: unknown, logger: Logger, options: { preview?: boolean } = {}): Promise<INestApplication> {
  const adapter = new ExpressAdapter();
  adapter.getInstance().disable('x-powered-by');
  adapter.getInstance().set('etag', false);
  const app = await NestFactory.create(module as never, adapter, { bodyParser: false, logger: new PinoNestLogger(logger), abortOnError: false, preview: options.preview });
  return app;
}

/** Connections already answered by answerClientError (and lingering until the client closes). */
const refused = new WeakSet<Duplex>();

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * A request Node's HTTP parser refuses (malformed request line or headers, headers over the size
 * limit, a request too slow to arrive) never reaches Express; Node's own answer would be a bare
 * status line. This writes the same error envelope, code header, request id and security headers
 * as every other error answer, then closes the connection.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // The parser reports its error again for every further chunk of a refused request: the refusal
  // is already written and the connection is lingering, so later reports change nothing.
  if (refused.has(socket)) return;
  // As Node's default: nothing is written on a reset or closed socket, or over an answer already started.
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
    socket.destroy();
    return;
  }
  const [code, message]: [CatalogueCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? ['REQUEST_HEADERS_TOO_LARGE', 'The request line or headers are too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? ['REQUEST_TIMEOUT', 'The request did not arrive in time.']
        : ['VALIDATION_FAILED', 'The request is not valid HTTP.'];
  refused.add(socket);
  const status = ErrorCodes[code];
  const requestId = acceptOrCreateRequestId(undefined);
  const body = JSON.stringify({ error: { code, message, details: null, request_id: requestId }, request_id: requestId });
  const headers = {
    ...SECURITY_HEADERS,
    'X-Request-ID': requestId,
    'X-Plystra-Error-Code': code,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  // Lingering close: what the client is still sending is read and dropped until it closes (or 5 s
  // pass), so the answer is not lost to a TCP reset from closing over unread data.
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.on('end', () => socket.destroy());
  setTimeout(() => socket.destroy(), 5_000).unref();
  socket.resume();
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
}

/** Starts listening with sane server timeouts; resolves with the bound port. */
export async function listen(app: INestApplication, host: string, port: number, limits: HttpServerLimits = {}): Promise<number> {
  await app.listen(port, host);
  const server = app.getHttpServer() as import('node:http').Server;
  server.headersTimeout = limits.headersTimeoutMs ?? 10_000;
  server.requestTimeout = limits.requestTimeoutMs ?? 30_000;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? 65_000;
  server.on('clientError', answerClientError);
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
