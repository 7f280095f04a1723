import { ApiError } from '@plystra/http';
import type { DataSource, EntityManager } from 'typeorm';
import { type Actor, type AvailableMember, actorOf, availableMembers, normaliseEmail } from './actor';
import type { LoginThrottle } from './login-throttle';
import type { PasswordHasher } from './password';
import type { ClientInfo, IssuedTokens, SessionService } from './session.service';

export interface LoginBundle extends Omit<IssuedTokens, 'session_id'> {
  user: { id: string; email: string; status: string };
  actor: Actor;
  available_members: AvailableMember[];
}

export interface SignInUser {
  id: string;
  email: string;
  status: string;
}

export const BAD_CREDENTIALS_MESSAGE = 'Email or password is incorrect.';

/** What a password sign-in did, for the caller's audit trail. */
export type SignInOutcome =
  | { kind: 'succeeded'; user: SignInUser; bundle: LoginBundle; sessionId: string }
  | { kind: 'failed'; userId: string | null; error: ApiError }
  | { kind: 'locked'; userId: string | null; error: ApiError };

type Db = DataSource | EntityManager;

/**
 * Password sign-in and session issuing, the same code for Core and the auth plugin: lockout
 * checked before any hashing, one answer for wrong password and unknown email (with a decoy
 * Argon2id verification), re-hash on parameter change, and the actor chosen from the user's
 * usable bindings (none → 403, no session).
 */
export class SignInService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    private readonly passwords: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  async passwordSignIn(emailInput: string, password: string, client: ClientInfo): Promise<SignInOutcome> {
    const email = normaliseEmail(emailInput);
    const keys = { email, ip: client.ip ?? 'unknown' };
    const lock = await this.throttle.check(keys);
    if (lock.locked) return { kind: 'locked', userId: null, error: ApiError.rateLimited(lock.retryAfterSeconds) };

    const [user]: Array<SignInUser & { password_hash: string | null }> = await this.dataSource.query(
      `SELECT id, email, status, password_hash FROM users WHERE lower(email) = $1 AND deleted_at IS NULL`,
      [email],
    );
    let verified = false;
    if (user && user.status === 'active' && user.password_hash) {
      const result = await this.passwords.verify(password, user.password_hash);
      verified = result.ok;
      if (result.ok && result.needsRehash) {
        await this.dataSource.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [user.id, await this.passwords.hash(password)]);
      }
    } else {
      await this.passwords.decoyVerify(password);
    }
    if (!verified) {
      const after = await this.throttle.fail(keys);
      if (after.locked) return { kind: 'locked', userId: user?.id ?? null, error: ApiError.rateLimited(after.retryAfterSeconds) };
      return { kind: 'failed', userId: user?.id ?? null, error: ApiError.of('AUTHENTICATION_REQUIRED', BAD_CREDENTIALS_MESSAGE) };
    }
    await this.throttle.succeed(keys);
    const issued = await this.issue({ id: user.id, email: user.email, status: user.status }, client);
    return { kind: 'succeeded', user: { id: user.id, email: user.email, status: user.status }, ...issued };
  }

  /**
   * Opens a session for a user who has proven who they are (password, email code, magic link,
   * registration): picks the first usable binding and returns the login bundle.
   */
  async issue(user: SignInUser, client: ClientInfo, db: Db = this.dataSource): Promise<{ bundle: LoginBundle; sessionId: string }> {
    const members = await availableMembers(db, user.id);
    if (members.length === 0) {
      throw ApiError.of('ACTIVE_MEMBER_REQUIRED', 'This account has no active member binding to act through.');
    }
    const actor = actorOf(members[0]);
    const tokens = await this.sessions.create(user.id, actor, client, db);
    const { session_id, ...rest } = tokens;
    return { sessionId: session_id, bundle: { ...rest, user: { id: user.id, email: user.email, status: user.status }, actor, available_members: members } };
  }
}
