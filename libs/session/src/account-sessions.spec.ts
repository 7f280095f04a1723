import { createTestDatabase, insertUser, type TestDatabase } from '@plystra/db/testing';
import { DEFAULT_EMAIL_MAX_FAILURES, LoginThrottle, emailCeilingOf, worstCaseFailuresPerHour } from './login-throttle';
import { SessionService } from './session.service';
import { TokenHasher } from './tokens';

const defaults = { maxFailures: 8, windowSeconds: 900, lockoutSeconds: 900 };
const client = { ip: '198.51.100.1', userAgent: 'jest' };

describe('per-email login ceiling, idle timeout and own-session list (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('bounds one account to at most 100 failures in any hour with the default limits, and stays above the pair limit', () => {
    expect(DEFAULT_EMAIL_MAX_FAILURES).toBe(20);
    expect(worstCaseFailuresPerHour(defaults)).toBe(100);
    expect(emailCeilingOf(defaults)).toBeGreaterThan(defaults.maxFailures);
    // The old ceiling (5 × 8 = 40) allowed 200 in the worst hour.
    expect(worstCaseFailuresPerHour({ ...defaults, emailMaxFailures: 40 })).toBe(200);
    // Never below the pair limit.
    expect(emailCeilingOf({ ...defaults, maxFailures: 30, emailMaxFailures: 20 })).toBe(30);
  });

  it('locks an email sprayed from many IPs at its 20th failure, whatever the IP, for the lockout', async () => {
    const throttle = new LoginThrottle(db.dataSource, defaults, 'spec-email');
    const states = [];
    for (let i = 0; i < 20; i++) states.push(await throttle.fail({ email: 'sprayed@example.com', ip: `203.0.113.${i}` }));
    expect(states.slice(0, 19).every((s) => !s.locked)).toBe(true);
    expect(states[19].locked).toBe(true);
    expect(states[19].retryAfterSeconds).toBeGreaterThan(890);
    const fresh = await throttle.check({ email: 'sprayed@example.com', ip: '192.0.2.77' });
    expect(fresh.locked).toBe(true);
    expect((await throttle.check({ email: 'other@example.com', ip: '192.0.2.77' })).locked).toBe(false);
  });

  it('refuses and revokes a refresh after the idle timeout, counted from the last refresh or creation', async () => {
    const user = await insertUser(db.dataSource, {});
    const hasher = new TokenHasher('primary-secret-that-is-long-enough-000');
    const idle = new SessionService(db.dataSource, hasher, { accessTtlSeconds: 900, refreshTtlSeconds: 86400, refreshReuseGraceSeconds: 10, idleTimeoutSeconds: 1800 });
    const stale = await idle.create(user.id, null, client);
    const recent = await idle.create(user.id, null, client);
    await db.dataSource.query(`UPDATE sessions SET created_at = now() - interval '31 minutes' WHERE id = $1`, [stale.session_id]);
    await db.dataSource.query(`UPDATE sessions SET created_at = now() - interval '2 hours', refreshed_at = now() - interval '29 minutes' WHERE id = $1`, [recent.session_id]);
    expect((await idle.rotate(stale.refresh_token)).status).toBe('invalid');
    const [row] = await db.dataSource.query(`SELECT revoked_reason FROM sessions WHERE id = $1`, [stale.session_id]);
    expect(row.revoked_reason).toBe('idle_timeout');
    expect((await idle.rotate(recent.refresh_token)).status).toBe('rotated');
    // Off (the default): the same idle session still refreshes.
    const off = new SessionService(db.dataSource, hasher, { accessTtlSeconds: 900, refreshTtlSeconds: 86400, refreshReuseGraceSeconds: 10 });
    const old = await off.create(user.id, null, client);
    await db.dataSource.query(`UPDATE sessions SET created_at = now() - interval '20 hours' WHERE id = $1`, [old.session_id]);
    expect((await off.rotate(old.refresh_token)).status).toBe('rotated');
  });

  it('lists only the user\'s active sessions without secrets, and revokes only the user\'s own', async () => {
    const [a, b] = [await insertUser(db.dataSource, {}), await insertUser(db.dataSource, {})];
    const sessions = new SessionService(db.dataSource, new TokenHasher('primary-secret-that-is-long-enough-000'));
    const mine = await sessions.create(a.id, null, client);
    const other = await sessions.create(a.id, null, { ip: null, userAgent: null });
    const ended = await sessions.create(a.id, null, client);
    const theirs = await sessions.create(b.id, null, client);
    await sessions.revokeByToken(ended.access_token);
    const list = await sessions.listForUser(a.id, mine.session_id);
    expect(list.map((s) => s.id).sort()).toEqual([mine.session_id, other.session_id].sort());
    expect(list.find((s) => s.id === mine.session_id)).toMatchObject({ current: true, ip: client.ip, user_agent: 'jest', refreshed_at: null });
    expect(list.find((s) => s.id === other.session_id)?.current).toBe(false);
    const text = JSON.stringify(list);
    for (const t of [mine.access_token, mine.refresh_token, other.access_token]) expect(text).not.toContain(t);
    expect(text).not.toMatch(/hash/);
    expect(await sessions.revokeForUser(a.id, theirs.session_id, 'revoked_by_user')).toBeNull();
    expect((await sessions.authenticate(theirs.access_token)).status).toBe('valid');
    expect(await sessions.revokeForUser(a.id, other.session_id, 'revoked_by_user')).toEqual({ id: other.session_id, user_id: a.id });
    expect((await sessions.authenticate(other.access_token)).status).toBe('invalid');
    expect(await sessions.revokeOthersForUser(a.id, mine.session_id, 'password_changed')).toBe(0);
  });
});
