import { performance } from 'node:perf_hooks';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  body: any;
  /** performance.now() when the request left and when the whole answer had arrived. */
  sentAt: number;
  answeredAt: number;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Abort (and throw) after this many milliseconds. */
  timeoutMs?: number;
}

/** Every credential a service handed out in an answer to `call` in this test file (for the secret scans). */
export const issuedSecrets = new Map<string, string>();

function harvest(body: any): void {
  const data = body?.data;
  if (!data || typeof data !== 'object') return;
  for (const field of ['access_token', 'refresh_token', 'api_key', 'key'] as const) {
    const value = data[field];
    if (typeof value === 'string' && /^ply_(at|rt|ak)_/.test(value)) issuedSecrets.set(value, `issued ${field}`);
  }
}

/** One JSON request over real HTTP (Node's fetch, keep-alive pooled). Network failures throw. */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const sentAt = performance.now();
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  const answeredAt = performance.now();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  harvest(body);
  return { status: res.status, headers: Object.fromEntries(res.headers.entries()), text, body, sentAt, answeredAt };
}

/** A client bound to one service, optionally with a credential. */
export function client(base: string, authorization?: string) {
  const withAuth = (headers?: Record<string, string>) => ({ ...(authorization ? { authorization } : {}), ...headers });
  return {
    base,
    get: (path: string, headers?: Record<string, string>) => call(base, 'GET', path, { headers: withAuth(headers) }),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call(base, 'POST', path, { body: body ?? {}, headers: withAuth(headers) }),
    patch: (path: string, body?: unknown, headers?: Record<string, string>) => call(base, 'PATCH', path, { body: body ?? {}, headers: withAuth(headers) }),
    del: (path: string, headers?: Record<string, string>) => call(base, 'DELETE', path, { headers: withAuth(headers) }),
  };
}

export type Client = ReturnType<typeof client>;

/** `X-Forwarded-For` from a documentation-range address, so concurrent callers look like distinct clients behind a trusted proxy. */
export const fromIp = (i: number) => ({ 'x-forwarded-for': `198.18.${Math.floor(i / 250) % 250}.${(i % 250) + 1}` });

/** Runs `fn` `n` times at once and returns the results in order. */
export function concurrently<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

/** Counts answers by status: `{200: 1, 401: 99}`. */
export function statusCounts(answers: Array<{ status: number }>): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) counts[a.status] = (counts[a.status] ?? 0) + 1;
  return counts;
}

/** The error envelope's code (or undefined). */
export const codeOf = (a: Answer): string | undefined => a.body?.error?.code;
