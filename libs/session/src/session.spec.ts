import { createTestDatabase, insertMember, insertSpace, insertUser, insertUserMember, type TestDatabase } from '@plystra/db/testing';
import { ApiError } from '@plystra/http';
import { availableMembers } from './actor';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password';
import { SessionService } from './session.service';
import { SignInService } from './sign-in.service';
import { TokenHasher } from './tokens';

const client = { ip: '203.0.113.10', userAgent: 'jest' };
const limits = { maxFailures: 8, windowSeconds: 900, lockoutSeconds: 900 };

describe('sessions and sign-in on a real PostgreSQL', () => {
  let db: TestDatabase;
  const passwords = new PasswordHasher();
  let hash: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    hash = await passwords.hash('a correct password');
  });
  afterAll(() => db.drop());

  async function boundUser() {
    const space = await insertSpace(db.dataSource, { name: 'Acme' });
    const user = await insertUser(db.dataSource, { passwordHash: hash });
    const member = await insertMember(db.dataSource, space);
    const binding = await insertUserMember(db.dataSource, { userId: user.id, memberId: member, spaceId: space, isPrimary: true });
    return { space, user, member, binding };
  }

  function services(secret = 'primary-secret-that-is-long-enough-000', previous: string[] = [], grace = 10) {
    const sessions = new SessionService(db.dataSource, new TokenHasher(secret, previous), { accessTtlSeconds: 900, refreshTtlSeconds: 86400, refreshReuseGraceSeconds: grace });
    const signIn = new SignInService(db.dataSource, sessions, passwords, new LoginThrottle(db.dataSource, limits));
    return { sessions, signIn };
  }


  it('lists usable bindings in the same order for concurrent callers as inside a transaction', async () => {
    const users = await Promise.all([0, 1, 2].map(() => insertUser(db.dataSource, { passwordHash: hash })));
    for (const [i, user] of users.entries()) {
      // Spaces named so that name order differs from creation order; one binding is primary, one expired, one revoked.
      for (const [name, member, primary, usable] of [['Zeta', 'Beta', false, true], ['Alpha', 'Omega', false, true], ['Alpha', 'Delta', false, true], ['Mid', 'Any', true, true], ['Early', 'Gone', false, false]] as const) {
        const space = await insertSpace(db.dataSource, { name: `${name} ${i}` });
        const memberId = await insertMember(db.dataSource, space, { displayName: member });
        await insertUserMember(db.dataSource, { userId: user.id, memberId, spaceId: space, isPrimary: primary, expiresAt: usable ? null : new Date(Date.now() - 1000) });
      }
    }
    // One transaction is one connection: its queries go one after another.
    const inTransaction = await db.dataSource.transaction(async (manager) => {
      const lists = [];
      for (const u of users) lists.push(await availableMembers(manager, u.id));
      return lists;
    });
    const concurrent = await Promise.all(users.flatMap((u) => [availableMembers(db.dataSource, u.id), availableMembers(db.dataSource, u.id)]));
    users.forEach((user, i) => {
      expect(inTransaction[i].map((m) => `${m.space_name}/${m.member_display_name}`)).toEqual([`Mid ${i}/Any`, `Alpha ${i}/Delta`, `Alpha ${i}/Omega`, `Zeta ${i}/Beta`]);
      expect(concurrent[2 * i]).toEqual(inTransaction[i]);
      expect(concurrent[2 * i + 1]).toEqual(inTransaction[i]);
      expect(inTransaction[i].every((m) => m.user_id === user.id && typeof m.is_primary === 'boolean')).toBe(true);
    });
    await expect(availableMembers(db.dataSource, 'user_nobody')).resolves.toEqual([]);
  });
  it('signs in, stores only hashes, and accepts the bearer', async () => {
    const { user, binding } = await boundUser();
    const { sessions, signIn } = services();
    const outcome = await signIn.passwordSignIn(` ${user.email.toUpperCase()} `, 'a correct password', client);
    if (outcome.kind !== 'succeeded') throw new Error(outcome.kind);
    expect(outcome.bundle.actor).toMatchObject({ user_id: user.id, user_member_id: binding });
    const stored = JSON.stringify(await db.dataSource.query(`SELECT * FROM sessions WHERE user_id = $1`, [user.id]));
    expect(stored).not.toContain(outcome.bundle.access_token.slice(7));
    expect(stored).not.toContain(outcome.bundle.refresh_token.slice(7));
    const check = await sessions.authenticate(outcome.bundle.access_token);
    expect(check).toMatchObject({ status: 'valid', session: { user_id: user.id, active_user_member_id: binding } });
  });

  it('answers wrong password and unknown email the same way', async () => {
    const { user } = await boundUser();
    const { signIn } = services();
    const wrong = await signIn.passwordSignIn(user.email, 'not the password', { ...client, ip: '198.51.100.1' });
    const unknown = await signIn.passwordSignIn('nobody@example.test', 'not the password', { ...client, ip: '198.51.100.1' });
    expect(wrong.kind).toBe('failed');
    expect(unknown.kind).toBe('failed');
    const [a, b] = [wrong, unknown].map((o) => (o as { error: ApiError }).error);
    expect([a.status, a.code, a.message]).toEqual([b.status, b.code, b.message]);
  });

  it('refuses a user without a usable binding, without a session', async () => {
    const user = await insertUser(db.dataSource, { passwordHash: hash });
    const { signIn } = services();
    await expect(signIn.passwordSignIn(user.email, 'a correct password', client)).rejects.toMatchObject({ code: 'ACTIVE_MEMBER_REQUIRED', status: 403 });
    const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM sessions WHERE user_id = $1`, [user.id]);
    expect(count).toBe(0);
  });

  it('locks the pair after 8 failures, also for a correct password and for a second instance', async () => {
    const { user } = await boundUser();
    const ip = '192.0.2.77';
    const first = services();
    const results: string[] = [];
    for (let i = 0; i < 8; i++) results.push((await first.signIn.passwordSignIn(user.email, `wrong ${i}`, { ...client, ip })).kind);
    expect(results).toEqual([...Array(7).fill('failed'), 'locked']);
    const second = services();
    const outcome = await second.signIn.passwordSignIn(user.email, 'a correct password', { ...client, ip });
    expect(outcome.kind).toBe('locked');
    const error = (outcome as { error: ApiError }).error;
    expect(error.status).toBe(429);
    expect(Number(error.headers['Retry-After'])).toBeGreaterThan(800);
    // Another IP is not locked by this pair.
    expect((await second.signIn.passwordSignIn(user.email, 'a correct password', { ...client, ip: '192.0.2.78' })).kind).toBe('succeeded');
  });

  it('rotates both tokens, kills the old access token, and never extends the refresh expiry', async () => {
    const { user } = await boundUser();
    const { sessions, signIn } = services();
    const outcome = await signIn.passwordSignIn(user.email, 'a correct password', client);
    if (outcome.kind !== 'succeeded') throw new Error(outcome.kind);
    const rotated = await sessions.rotate(outcome.bundle.refresh_token);
    if (rotated.status !== 'rotated') throw new Error(rotated.status);
    expect(rotated.tokens.access_token).not.toBe(outcome.bundle.access_token);
    expect(rotated.tokens.refresh_expires_at).toBe(outcome.bundle.refresh_expires_at);
    expect((await sessions.authenticate(outcome.bundle.access_token)).status).toBe('invalid');
    expect((await sessions.authenticate(rotated.tokens.access_token)).status).toBe('valid');
  });

  it('treats a rotated refresh token inside the grace window as a benign race, and later as reuse', async () => {
    const { user } = await boundUser();
    const { sessions, signIn } = services(undefined, [], 1);
    const outcome = await signIn.passwordSignIn(user.email, 'a correct password', client);
    if (outcome.kind !== 'succeeded') throw new Error(outcome.kind);
    const rotated = await sessions.rotate(outcome.bundle.refresh_token);
    if (rotated.status !== 'rotated') throw new Error(rotated.status);
    expect((await sessions.rotate(outcome.bundle.refresh_token)).status).toBe('reused_within_grace');
    expect((await sessions.authenticate(rotated.tokens.access_token)).status).toBe('valid');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await sessions.rotate(outcome.bundle.refresh_token)).status).toBe('reuse_revoked');
    expect((await sessions.authenticate(rotated.tokens.access_token)).status).toBe('invalid');
    const [row] = await db.dataSource.query(`SELECT revoked_reason FROM sessions WHERE id = $1`, [rotated.session.id]);
    expect(row.revoked_reason).toBe('refresh_token_reuse');
  });

  it('lets exactly one of 50 concurrent refreshes of one token win', async () => {
    const { user } = await boundUser();
    const { sessions, signIn } = services();
    const outcome = await signIn.passwordSignIn(user.email, 'a correct password', client);
    if (outcome.kind !== 'succeeded') throw new Error(outcome.kind);
    const results = await Promise.all(Array.from({ length: 50 }, () => sessions.rotate(outcome.bundle.refresh_token)));
    expect(results.filter((r) => r.status === 'rotated')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'reused_within_grace')).toHaveLength(49);
  });

  it('accepts tokens hashed under a previous secret and re-hashes them with the primary on refresh', async () => {
    const { user } = await boundUser();
    const old = services('old-secret-that-is-long-enough-0000000');
    const outcome = await old.signIn.passwordSignIn(user.email, 'a correct password', client);
    if (outcome.kind !== 'succeeded') throw new Error(outcome.kind);
    const rotatedSecret = services('new-secret-that-is-long-enough-0000000', ['old-secret-that-is-long-enough-0000000']);
    expect((await rotatedSecret.sessions.authenticate(outcome.bundle.access_token)).status).toBe('valid');
    const rotated = await rotatedSecret.sessions.rotate(outcome.bundle.refresh_token);
    if (rotated.status !== 'rotated') throw new Error(rotated.status);
    const newOnly = services('new-secret-that-is-long-enough-0000000');
    expect((await newOnly.sessions.authenticate(rotated.tokens.access_token)).status).toBe('valid');
    expect((await newOnly.sessions.authenticate(outcome.bundle.access_token)).status).toBe('invalid');
  });

  it('revokes by access or refresh token', async () => {
    const { user } = await boundUser();
    const { sessions, signIn } = services();
    const outcome = await signIn.passwordSignIn(user.email, 'a correct password', client);
    if (outcome.kind !== 'succeeded') throw new Error(outcome.kind);
    expect(await sessions.revokeByToken(outcome.bundle.refresh_token)).toMatchObject({ user_id: user.id });
    expect((await sessions.authenticate(outcome.bundle.access_token)).status).toBe('invalid');
    expect(await sessions.revokeByToken(outcome.bundle.access_token)).toBeNull();
    expect(await sessions.revokeByToken('garbage')).toBeNull();
  });
});
