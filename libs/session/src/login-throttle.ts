import { createHash } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';

export interface LoginThrottleLimits {
  /** Failures per (email, IP) within the window that lock the pair. */
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
  /**
   * Failures per email (from any number of IPs) within the window that lock the email. Never below
   * `maxFailures` (the ceiling is "higher" than the pair limit). Default DEFAULT_EMAIL_MAX_FAILURES.
   */
  emailMaxFailures?: number;
}

/**
 * ASVS 2.2.1 (no more than 100 failed attempts per hour on one account): with the 15-minute window
 * and lockout, any 60-minute span touches at most five counting cycles (a cycle — a window, or a
 * lock — lasts at least 15 minutes), so 5 × 20 = 100 failures per account per hour in the worst
 * case, whatever the spread of IPs and timing. Still higher than the per-(email, IP) limit of 8.
 */
export const DEFAULT_EMAIL_MAX_FAILURES = 20;

/** The most failures one account can take in any hour from any number of IPs, for these limits. */
export function worstCaseFailuresPerHour(limits: LoginThrottleLimits): number {
  const cycle = Math.min(limits.windowSeconds, limits.lockoutSeconds);
  return emailCeilingOf(limits) * (Math.floor(3600 / Math.max(1, cycle)) + 1);
}

export function emailCeilingOf(limits: LoginThrottleLimits): number {
  return Math.max(limits.emailMaxFailures ?? DEFAULT_EMAIL_MAX_FAILURES, limits.maxFailures);
}

export interface ThrottleKeys {
  email: string;
  ip: string;
}

/** Locked: how long until another attempt is allowed. */
export interface LockState {
  locked: boolean;
  retryAfterSeconds: number;
}

/** The per-IP ceiling, as a multiple of the pair limit. */
const IP_CEILING_FACTOR = 10;

/**
 * Counts failed sign-ins in PostgreSQL (rate-limiter-flexible's store, table `auth_rate_limits`),
 * so every replica of Core and of the auth plugin sees the same lock and a restart does not lift
 * it. Keys: the (email, IP) pair locks after `maxFailures`; the email alone has a higher ceiling
 * (spraying one account from many IPs), and so does the IP alone (one IP spraying many accounts).
 */
export class LoginThrottle {
  private readonly pair: RateLimiterPostgres;
  private readonly email: RateLimiterPostgres;
  private readonly ip: RateLimiterPostgres;

  constructor(dataSource: DataSource, limits: LoginThrottleLimits, namespace = 'login') {
    const make = (keyPrefix: string, failures: number) =>
      new RateLimiterPostgres({
        storeClient: dataSource,
        storeType: 'typeorm',
        tableName: 'auth_rate_limits',
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix: `${namespace}:${keyPrefix}`,
        // The failure that reaches the limit is itself refused and starts the lockout.
        points: failures - 1,
        duration: limits.windowSeconds,
        blockDuration: limits.lockoutSeconds,
      });
    this.pair = make('pair', limits.maxFailures);
    this.email = make('email', emailCeilingOf(limits));
    this.ip = make('ip', limits.maxFailures * IP_CEILING_FACTOR);
  }

  /** Counter keys never hold an address in clear, and stay short whatever the email's length. */
  private keys(keys: ThrottleKeys) {
    const email = createHash('sha256').update(keys.email).digest('hex');
    return [
      [this.pair, `${email}|${keys.ip}`],
      [this.email, email],
      [this.ip, keys.ip],
    ] as const;
  }

  private static lockOf(limiter: RateLimiterPostgres, state: RateLimiterRes | null): LockState {
    return state && state.consumedPoints > limiter.points
      ? { locked: true, retryAfterSeconds: Math.ceil(state.msBeforeNext / 1000) }
      : { locked: false, retryAfterSeconds: 0 };
  }

  /** The per-IP ceiling alone, for failures that carry no trustworthy email (a bad magic-link token). */
  async checkIp(ip: string): Promise<LockState> {
    return LoginThrottle.lockOf(this.ip, await this.ip.get(ip));
  }

  async failIp(ip: string): Promise<LockState> {
    try {
      await this.ip.consume(ip);
      return { locked: false, retryAfterSeconds: 0 };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { locked: true, retryAfterSeconds: Math.ceil(rejection.msBeforeNext / 1000) };
      throw rejection;
    }
  }

  /** Whether any of the keys is locked now. */
  async check(keys: ThrottleKeys): Promise<LockState> {
    const states = await Promise.all(this.keys(keys).map(([limiter, key]) => limiter.get(key)));
    let retry = 0;
    this.keys(keys).forEach(([limiter], i) => {
      const state = states[i];
      if (state && state.consumedPoints > limiter.points) retry = Math.max(retry, state.msBeforeNext / 1000);
    });
    return { locked: retry > 0, retryAfterSeconds: Math.ceil(retry) };
  }

  /** Records one failure; reports whether it locked any key. */
  async fail(keys: ThrottleKeys): Promise<LockState> {
    let retry = 0;
    await Promise.all(
      this.keys(keys).map(([limiter, key]) =>
        limiter.consume(key).catch((rejection: unknown) => {
          if (rejection instanceof RateLimiterRes) retry = Math.max(retry, rejection.msBeforeNext / 1000);
          else throw rejection;
        }),
      ),
    );
    return { locked: retry > 0, retryAfterSeconds: Math.ceil(retry) };
  }

  /** A success clears the pair and the email counters (the per-IP ceiling keeps counting). */
  async succeed(keys: ThrottleKeys): Promise<void> {
    const [[pair, pairKey], [email, emailKey]] = this.keys(keys);
    await Promise.all([pair.delete(pairKey), email.delete(emailKey)]);
  }
}
