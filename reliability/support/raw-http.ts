import { connect } from 'node:net';

export interface RawAnswer {
  /** 0 when no HTTP answer came back at all. */
  status: number;
  /** Header names lower-cased; repeated headers keep every value. */
  headers: Record<string, string[]>;
  body: Buffer;
  /** The whole answer as latin1 text (status line, headers, body), for leak scans. */
  raw: string;
  /** Why there was no answer (timeout, reset before any byte…). */
  error?: string;
}

export type HeaderValue = string | Buffer;

export interface RawRequest {
  method: string;
  /** The request target exactly as written on the request line. */
  target: string;
  /** Written in order, duplicates included; values may be raw bytes. */
  headers: Array<[string, HeaderValue]>;
  body?: Buffer;
  /** `auto` writes the body's length; `none` writes no Content-Length (a body is then sent chunked only if a Transfer-Encoding header says so). */
  contentLength?: 'auto' | 'none';
  /** Replaces the whole request with these bytes (protocol-level abuse). */
  rawBytes?: Buffer;
}

/** Serialises a request as HTTP/1.1 bytes, leaving malformed input malformed. */
export function encodeRequest(port: number, req: RawRequest): Buffer {
  return encodeRequestParts(port, req).bytes;
}

/** The request's bytes and where its head ends. */
export function encodeRequestParts(port: number, req: RawRequest): { bytes: Buffer; headLength: number } {
  if (req.rawBytes) return { bytes: req.rawBytes, headLength: 0 };
  const bytes = encodeHead(port, req);
  return { bytes: req.body ? Buffer.concat([bytes, req.body]) : bytes, headLength: bytes.length };
}

function encodeHead(port: number, req: RawRequest): Buffer {
  const parts: Buffer[] = [Buffer.from(`${req.method} ${req.target} HTTP/1.1\r\n`, 'latin1')];
  const names = new Set(req.headers.map(([name]) => name.toLowerCase()));
  const head: Array<[string, HeaderValue]> = [];
  if (!names.has('host')) head.push(['Host', `127.0.0.1:${port}`]);
  head.push(...req.headers);
  if (!names.has('connection')) head.push(['Connection', 'close']);
  if ((req.contentLength ?? 'auto') === 'auto' && req.body && !names.has('content-length') && !names.has('transfer-encoding')) head.push(['Content-Length', String(req.body.length)]);
  for (const [name, value] of head) parts.push(Buffer.from(`${name}: `, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1'), Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Parses the first final HTTP answer in `data` (interim 1xx answers, e.g. 100 Continue, are skipped). */
export function parseAnswer(all: Buffer): RawAnswer {
  let data = all;
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 16).toString('latin1'))) {
    const end = data.indexOf('\r\n\r\n');
    if (end < 0) break;
    data = data.subarray(end + 4);
  }
  const raw = all.toString('latin1');
  const headEnd = data.indexOf('\r\n\r\n');
  const headText = (headEnd < 0 ? data : data.subarray(0, headEnd)).toString('latin1');
  const [statusLine, ...lines] = headText.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!match) return { status: 0, headers: {}, body: Buffer.alloc(0), raw, error: data.length ? 'not an HTTP answer' : 'no answer' };
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  let body = headEnd < 0 ? Buffer.alloc(0) : data.subarray(headEnd + 4);
  if (headers['transfer-encoding']?.some((v) => /chunked/i.test(v))) body = dechunk(body);
  else if (headers['content-length']) body = body.subarray(0, Number(headers['content-length'][0]));
  return { status: Number(match[1]), headers, body, raw };
}

/**
 * Sends raw bytes on a fresh connection and reads until the server closes it (every request asks
 * for `Connection: close`), or until the timeout. Like a well-behaved client, it sends in pieces
 * and stops sending once an answer has begun (a server may refuse a large body before reading it).
 */
export function exchange(port: number, bytes: Buffer, timeoutMs = 20_000, headLength = 0): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const answer = parseAnswer(Buffer.concat(chunks));
      resolve(answer.status === 0 && error ? { ...answer, error } : answer);
    };
    const timer = setTimeout(() => finish(`no complete answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // Stop as soon as the declared body is complete (a server may keep a bad connection open).
      const answer = parseAnswer(Buffer.concat(chunks));
      const declared = answer.headers['content-length']?.[0];
      if (answer.status && declared !== undefined && answer.body.length >= Number(declared)) finish();
    });
    // A write refused because the server already answered and closed is not itself a failure:
    // what was received decides; the error is only reported when nothing came back.
    let failure: string | undefined;
    socket.on('end', () => finish(failure ?? 'closed by the server without an answer'));
    socket.on('close', () => finish(failure ?? 'closed without an answer'));
    socket.on('error', (error) => {
      failure ??= `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`.trim();
    });
    socket.once('connect', async () => {
      const PIECE = 64 * 1024;
      let at = 0;
      if (headLength > 0 && bytes.length - headLength > PIECE) {
        // A large body: the head goes first and the server gets a moment to refuse it unread
        // (a 413 by declared length), as a client waiting on Expect: 100-continue would.
        socket.write(bytes.subarray(0, headLength));
        at = headLength;
        await new Promise<void>((resume) => { const t = setTimeout(resume, 25); socket.once('data', () => { clearTimeout(t); resume(); }); });
      }
      // Stop only for a final answer: "100 Continue" is the server asking for the body.
      const answered = () => parseAnswer(Buffer.concat(chunks)).status !== 0;
      for (; at < bytes.length && !settled && !answered(); at += PIECE) {
        const piece = bytes.subarray(at, at + PIECE);
        if (!socket.write(piece)) await new Promise<void>((resume) => { socket.once('drain', resume); socket.once('close', resume); socket.once('data', resume); });
      }
    });
  });
}
