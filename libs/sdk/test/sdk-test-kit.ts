import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { newId } from '@plystra/db';
import { startCore, type CoreTestApp } from '../../../apps/core/test/core-test-app';
import { type FetchLike, PlystraApiError } from '../src';

export const DEMO_PASSWORD = 'plystra-demo';
export const ALICE = { email: 'alice@example.com', password: DEMO_PASSWORD };
export const BOB = { email: 'bob@example.com', password: DEMO_PASSWORD };
export const aliceActor = { user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' };
export const bobActor = { user_id: 'user_bob', member_id: 'member_finance_reviewer', user_member_id: 'um_bob_finance_reviewer', space_id: 'space_acme' };
export const approve = (invoiceId: string) => ({ resource_type: 'invoice', resource_id: invoiceId, action: 'approve' });

export interface ListeningCore {
  core: CoreTestApp;
  /** `http://127.0.0.1:<port>`: a real URL for fetch. */
  url: string;
}

/** Core (demo data seeded) on its own database, listening on a random local port. */
export async function listenCore(options: Parameters<typeof startCore>[0] = {}): Promise<ListeningCore> {
  const core = await startCore(options);
  await core.app.listen(0, '127.0.0.1');
  const { port } = core.app.getHttpServer().address() as AddressInfo;
  return { core, url: `http://127.0.0.1:${port}` };
}

export async function grantSuperAdmin(core: CoreTestApp, userId: string): Promise<void> {
  await core.db.dataSource.query(
    `INSERT INTO admin_grants (id, user_id, level, permission_key) VALUES ($1, $2, 'instance_super_admin', '*')`,
    [newId('ag'), userId],
  );
}

export interface RecordedCall {
  method: string;
  /** `http://127.0.0.1:<port>`: which service was called. */
  origin: string;
  path: string;
  search: string;
  status: number | null;
  headers: Record<string, string>;
}

/**
 * The global fetch, wrapped to record every call the SDK makes (method, path, answer status,
 * request headers). `beforeRequest` runs before a call goes out (to hold it back); `afterResponse`
 * runs after the answer arrived and before the SDK sees it.
 */
export function recordingFetch(
  afterResponse?: (call: RecordedCall) => Promise<void> | void,
  beforeRequest?: (call: RecordedCall) => Promise<void> | void,
): { fetch: FetchLike; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const wrapped: FetchLike = async (input, init) => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const url = new URL(input);
    const call: RecordedCall = { method: init.method ?? 'GET', origin: url.origin, path: url.pathname, search: url.search, status: null, headers };
    await beforeRequest?.(call);
    calls.push(call);
    const res = await fetch(input, init);
    call.status = res.status;
    await afterResponse?.(call);
    return res;
  };
  return { fetch: wrapped, calls };
}

/** A plain local HTTP server (not Plystra), for transport failures. */
export async function localServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that was free a moment ago and is closed now: connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  const s = await localServer(() => undefined);
  await s.close();
  return s.url;
}

/** The SDK error a call fails with (anything else, or success, fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<PlystraApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PlystraApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}
