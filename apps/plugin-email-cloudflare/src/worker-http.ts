const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};
const VALID_REQUEST_ID = /^[\x21\x23-\x26\x28-\x5b\x5d-\x7e]{1,128}$/;

/** A refusal with its status and code, answered as `{error: {code, message, details}}`. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function requestIdOf(header: string | null): string {
  if (header && VALID_REQUEST_ID.test(header)) return header;
  return `req_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

export function json(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'X-Request-ID': requestId, ...SECURITY_HEADERS, ...headers },
  });
}

export function refusalResponse(refusal: Refusal, requestId: string): Response {
  return json(
    refusal.status,
    { error: { code: refusal.code, message: refusal.message, details: refusal.details, request_id: requestId }, request_id: requestId },
    requestId,
    { 'X-Plystra-Error-Code': refusal.code, ...refusal.headers },
  );
}

/** The body as text, refused unread (413) when it is declared or turns out larger than `limit` bytes. */
export async function readBody(request: Request, limit: number): Promise<string> {
  const tooLarge = () => new Refusal(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`, { limit_bytes: limit });
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Equal-length digests compared without an early exit. */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}
