import type { Duplex } from 'node:stream';
import { type CatalogueCode, ErrorCodes } from './api-error';
import { SECURITY_HEADERS } from './edge.middleware';
import { acceptOrCreateRequestId } from './request-id';

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
