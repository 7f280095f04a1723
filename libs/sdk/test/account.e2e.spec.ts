import { PlystraAuthError, PlystraClient, type PlystraTokens } from '../src';
import { BOB, type ListeningCore, listenCore, rejection } from './sdk-test-kit';

/** auth.changePassword, auth.sessions and auth.revokeSession against the real Core. */
describe('PlystraClient account calls (real HTTP, real PostgreSQL)', () => {
  let env: ListeningCore;
  const client = (options: Partial<ConstructorParameters<typeof PlystraClient>[0]> = {}) => new PlystraClient({ baseUrl: env.url, ...options });

  beforeAll(async () => {
    env = await listenCore();
  });
  afterAll(() => env.core.close());

  it('lists the sessions, revokes another one, and forgets the tokens when it revokes its own', async () => {
    const changes: Array<PlystraTokens | null> = [];
    const mine = client({ onTokenChange: (t) => void changes.push(t) });
    const other = client();
    await other.auth.login(BOB);
    await mine.auth.login(BOB);
    const sessions = await mine.auth.sessions();
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    const current = sessions.find((s) => s.current)!;
    const otherId = (await other.actor.context()).session_id;
    expect(current.id).toBe((await mine.actor.context()).session_id);
    expect(sessions.map((s) => s.id)).toContain(otherId);
    expect(JSON.stringify(sessions)).not.toContain(mine.tokens()!.accessToken!);
    expect(await mine.auth.revokeSession(otherId)).toEqual({ revoked: true, session_id: otherId, current: false });
    expect((await rejection(other.actor.context())).code).toBe('AUTHENTICATION_REQUIRED');
    const missing = await rejection(mine.auth.revokeSession(otherId));
    expect([missing.status, missing.code]).toEqual([404, 'SESSION_NOT_FOUND']);
    expect(await mine.auth.revokeSession(current.id)).toEqual({ revoked: true, session_id: current.id, current: true });
    expect(mine.tokens()).toBeNull();
    expect(changes.at(-1)).toBeNull();
  });

  it('changes the password: a wrong current one is a PlystraAuthError, the right one ends the other sessions', async () => {
    await env.core.db.dataSource.query(`DELETE FROM auth_rate_limits`);
    const mine = client();
    const other = client();
    await other.auth.login(BOB);
    await mine.auth.login(BOB);
    const wrong = await rejection(mine.auth.changePassword({ current_password: 'not bob password', new_password: 'bob has a new passphrase' }));
    expect(wrong).toBeInstanceOf(PlystraAuthError);
    expect(wrong.code).toBe('AUTHENTICATION_REQUIRED');
    expect(mine.tokens()).not.toBeNull();
    const weak = await rejection(mine.auth.changePassword({ current_password: BOB.password, new_password: 'short' }));
    expect([weak.status, weak.code]).toEqual([400, 'VALIDATION_FAILED']);
    const result = await mine.auth.changePassword({ current_password: BOB.password, new_password: 'bob has a new passphrase' });
    expect(result).toEqual({ password_changed: true, password_changed_at: expect.any(String), other_sessions_revoked: expect.any(Number) });
    expect(result.other_sessions_revoked).toBeGreaterThanOrEqual(1);
    expect((await rejection(other.actor.context())).code).toBe('AUTHENTICATION_REQUIRED');
    expect((await mine.actor.context()).actor.user_id).toBe('user_bob');
    await client().auth.login({ email: BOB.email, password: 'bob has a new passphrase' });
  });
});
