import { PlystraApiError, PlystraAuthError, PlystraClient, type PlystraTokens } from '../src';
import { ALICE, type ListeningCore, type RecordedCall, aliceActor, approve, grantSuperAdmin, listenCore, recordingFetch } from './sdk-test-kit';

/**
 * Automatic refresh against the real Core: expired access tokens are made by moving the
 * session's `expires_at` into the past in PostgreSQL, exactly as time would.
 */
describe('automatic refresh on SESSION_EXPIRED (real HTTP, real PostgreSQL)', () => {
  let env: ListeningCore;
  const db = () => env.core.db.dataSource;

  beforeAll(async () => {
    env = await listenCore();
    await grantSuperAdmin(env.core, 'user_alice'); // holds authz:check
  });
  afterAll(() => env.core.close());
  beforeEach(() => db().query(`DELETE FROM auth_rate_limits`));

  /** Alice signed in; the fetch records every call made after login. */
  async function signedIn(afterResponse?: (call: RecordedCall) => Promise<void> | void) {
    const recorder = recordingFetch(afterResponse);
    const changes: Array<PlystraTokens | null> = [];
    const client = new PlystraClient({ baseUrl: env.url, fetch: recorder.fetch, onTokenChange: (t) => void changes.push(t) });
    await client.auth.login(ALICE);
    const sessionId = (await client.actor.context()).session_id;
    recorder.calls.length = 0;
    changes.length = 0;
    return { client, calls: recorder.calls, changes, sessionId };
  }

  const expireAccess = (sessionId: string) => db().query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [sessionId]);
  const summary = (calls: RecordedCall[]) => calls.map((c) => `${c.method} ${c.path} ${c.status}`);

  it('an expired access token is refreshed once, the call retried, and the rotated pair reported', async () => {
    const { client, calls, changes, sessionId } = await signedIn();
    const before = client.tokens()!;
    await expireAccess(sessionId);

    const context = await client.actor.context();
    expect(context.actor).toEqual(aliceActor);
    expect(summary(calls)).toEqual(['GET /api/v1/actor/context 401', 'POST /api/v1/auth/refresh 200', 'GET /api/v1/actor/context 200']);
    expect(calls[0].headers.authorization).toBe(`Bearer ${before.accessToken}`);
    expect(calls[2].headers.authorization).toBe(`Bearer ${client.tokens()!.accessToken}`);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.accessToken).not.toBe(before.accessToken);
    expect(changes[0]!.refreshToken).not.toBe(before.refreshToken);
    expect(client.tokens()).toEqual(changes[0]);
    const [row] = await db().query(`SELECT refreshed_at, expires_at > now() AS fresh FROM sessions WHERE id = $1`, [sessionId]);
    expect(row.refreshed_at).toBeInstanceOf(Date);
    expect(row.fresh).toBe(true);
  });

  it('concurrent calls on an expired token share ONE refresh and all succeed', async () => {
    const { client, calls, changes, sessionId } = await signedIn();
    await expireAccess(sessionId);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => client.authz.check(approve(i % 2 ? 'invoice_002' : 'invoice_001'))));
    expect(results.map((r) => r.allow)).toEqual(Array.from({ length: 12 }, (_, i) => i % 2 === 0));
    expect(calls.filter((c) => c.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(changes).toHaveLength(1);
    // All twelve went out with the expired token, were refused once, and retried once.
    const checks = calls.filter((c) => c.path === '/api/v1/authz/check');
    expect(checks.filter((c) => c.status === 401)).toHaveLength(12);
    expect(checks.filter((c) => c.status === 200)).toHaveLength(12);
    // One rotation in the database: the session's current refresh token is the one reported.
    const [row] = await db().query(`SELECT refreshed_at, previous_refresh_token_hash IS NOT NULL AS rotated FROM sessions WHERE id = $1`, [sessionId]);
    expect(row).toMatchObject({ rotated: true });
    const again = await client.authz.check(approve('invoice_001'));
    expect(again.allow).toBe(true);
    expect(calls.filter((c) => c.path === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('a call refused after the shared refresh already finished retries with the new token, without a second refresh', async () => {
    let reported: Array<PlystraTokens | null> = [];
    let held = false;
    // Hold the first refused check until the other call's refresh has been stored and reported.
    const { client, calls, changes, sessionId } = await signedIn(async (call) => {
      if (call.path !== '/api/v1/authz/check' || call.status !== 401 || held) return;
      held = true;
      const deadline = Date.now() + 5_000;
      while (reported.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    });
    reported = changes;
    await expireAccess(sessionId);

    const [late, early] = await Promise.all([client.authz.check(approve('invoice_001')), client.authz.check(approve('invoice_002'))]);
    expect([late.allow, early.allow]).toEqual([true, false]);
    expect(held).toBe(true);
    expect(calls.filter((c) => c.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(changes).toHaveLength(1);
    const retries = calls.filter((c) => c.path === '/api/v1/authz/check' && c.status === 200);
    expect(retries.map((c) => c.headers.authorization)).toEqual([`Bearer ${changes[0]!.accessToken}`, `Bearer ${changes[0]!.accessToken}`]);
  });

  it('a call that reaches Core only after the refresh rotated its token (so the token is unknown, not expired) is retried with the new one', async () => {
    let changes: Array<PlystraTokens | null> = [];
    let held = false;
    let first = false;
    // Hold the second check back before it leaves, until the first check's refresh has been reported.
    const recorder = recordingFetch(undefined, async (call) => {
      if (call.path !== '/api/v1/authz/check' || held || !call.headers.authorization || !first) return;
      held = true;
      const deadline = Date.now() + 5_000;
      while (changes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    });
    const client = new PlystraClient({ baseUrl: env.url, fetch: recorder.fetch, onTokenChange: (t) => void changes.push(t) });
    await client.auth.login(ALICE);
    const { session_id: sessionId } = await client.actor.context();
    const stale = client.tokens()!.accessToken;
    changes = [];
    recorder.calls.length = 0;
    await expireAccess(sessionId);

    const early = client.authz.check(approve('invoice_001'));
    first = true;
    const late = client.authz.check(approve('invoice_002'));
    expect([(await early).allow, (await late).allow]).toEqual([true, false]);
    expect(held).toBe(true);
    const checks = recorder.calls.filter((c) => c.path === '/api/v1/authz/check');
    // The held check went out with the token the refresh had already replaced: refused as unknown, then retried.
    expect(checks.map((c) => `${c.status} ${c.headers.authorization === `Bearer ${stale}` ? 'stale' : 'new'}`)).toEqual(['401 stale', '200 new', '401 stale', '200 new']);
    expect(recorder.calls.filter((c) => c.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(changes).toHaveLength(1);
  });

  it('a refused refresh clears the tokens, reports null, throws the auth error, and does not loop', async () => {
    const { client, calls, changes, sessionId } = await signedIn();
    await db().query(`UPDATE sessions SET expires_at = now() - interval '1 second', refresh_expires_at = now() - interval '1 second' WHERE id = $1`, [sessionId]);

    const error = await client.actor.context().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PlystraAuthError);
    expect((error as PlystraApiError).code).toBe('SESSION_EXPIRED');
    expect(summary(calls)).toEqual(['GET /api/v1/actor/context 401', 'POST /api/v1/auth/refresh 401']);
    expect(changes).toEqual([null]);
    expect(client.tokens()).toBeNull();

    // Signed out now: the next call goes out without a credential, once, and nothing refreshes.
    const next = await client.actor.context().catch((e: unknown) => e);
    expect(next).toBeInstanceOf(PlystraAuthError);
    expect((next as PlystraApiError).code).toBe('AUTHENTICATION_REQUIRED');
    expect(summary(calls.slice(2))).toEqual(['GET /api/v1/actor/context 401']);
    expect(calls[2].headers).not.toHaveProperty('authorization');
    expect(changes).toEqual([null]);
  });

  it('concurrent calls whose shared refresh is refused all fail with the one refresh made', async () => {
    const { client, calls, changes, sessionId } = await signedIn();
    await db().query(`UPDATE sessions SET expires_at = now() - interval '1 second', refresh_expires_at = now() - interval '1 second' WHERE id = $1`, [sessionId]);
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => client.authz.check(approve('invoice_001'))));
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof PlystraAuthError)).toBe(true);
    expect(calls.filter((c) => c.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(changes).toEqual([null]);
  });

  it('refreshes at most once per request: a retry that is still expired fails instead of refreshing again', async () => {
    let sessionId = '';
    // After the refresh answered (and before the SDK sees it), expire the rotated session again.
    const { client, calls, changes, sessionId: id } = await signedIn(async (call) => {
      if (call.path === '/api/v1/auth/refresh' && sessionId) await expireAccess(sessionId);
    });
    sessionId = id;
    await expireAccess(sessionId);

    const error = await client.actor.context().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlystraAuthError);
    expect((error as PlystraApiError).code).toBe('SESSION_EXPIRED');
    expect(summary(calls)).toEqual(['GET /api/v1/actor/context 401', 'POST /api/v1/auth/refresh 200', 'GET /api/v1/actor/context 401']);
    // The refresh itself succeeded, so the rotated pair is kept (not cleared).
    expect(changes).toHaveLength(1);
    expect(changes[0]).not.toBeNull();
    expect(client.tokens()).toEqual(changes[0]);
  });

  it('a client without a refresh token surfaces SESSION_EXPIRED without calling refresh', async () => {
    const { client, sessionId } = await signedIn();
    const recorder = recordingFetch();
    const accessOnly = new PlystraClient({ baseUrl: env.url, accessToken: client.tokens()!.accessToken!, fetch: recorder.fetch });
    await expireAccess(sessionId);
    const error = await accessOnly.actor.context().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlystraAuthError);
    expect((error as PlystraApiError).code).toBe('SESSION_EXPIRED');
    expect(summary(recorder.calls)).toEqual(['GET /api/v1/actor/context 401']);
    expect(accessOnly.tokens()).not.toBeNull();
  });
});
