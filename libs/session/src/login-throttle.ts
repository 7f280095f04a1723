import { createHash } from 'node:crypto';
import { PreparedStatement } from '@plystra/db';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';

/** The table of rate-limiter-flexible's PostgreSQL store (Core's migration creates it). */
const RATE_LIMIT_TABLE = 'auth_rate_limits';

/** A counter kind on the store's table: `points` per `duration` seconds per key, then `blockDuration` seconds locked, if given. */
export function postgresCounter(dataSource: DataSource, options: { keyPrefix: string; points: number; duration: number; blockDuration?: number }): RateLimiterPostgres {
  return new RateLimiterPostgres({ storeClient: dataSource, storeType: 'typeorm', tableName: RATE_LIMIT_TABLE, tableCreated: true, clearExpiredByTimeout: false, ...options });
}

/** A counter key for an email: never the address in clear, and short whatever the email's length. */
export const emailCounterKey = (email: string): string => createHash('sha256').update(email).digest('hex');

/** One counter of the store: the limiter that owns it and the key it counts. */
export type Counter = readonly [limiter: RateLimiterPostgres, key: string];

/** A counter as the library's `get` reports it: points spent, and ms until it expires (-1: never). */
export interface CounterState {
  consumedPoints: number;
  msBeforeNext: number;
}

/** The counters' keys as the store holds them (the limiter's prefix, then the key). */
const storedKeys = (counters: readonly Counter[]) => counters.map(([limiter, key]) => limiter.getKey(key));

/**
 * Reads and clears several counters in one statement each. The library reads and deletes one key
 * per statement, and a sign-in checks up to four keys and clears two; these are the same
 * statements over `key = ANY(...)`, with the library's own key format (`getKey`) and its rule
 * that a row past its `expire` counts as absent.
 */
export class RateLimitCounters {
  private readonly reads: PreparedStatement<{ key: string; points: number; expire: string | null }>;
  private readonly deletes: PreparedStatement<never>;

  constructor(dataSource: DataSource) {
    this.reads = new PreparedStatement(dataSource, 'plystra_rate_limit_read',
      `SELECT key, points, expire FROM ${RATE_LIMIT_TABLE} WHERE key = ANY($1) AND (expire > $2 OR expire IS NULL)`);
    this.deletes = new PreparedStatement(dataSource, 'plystra_rate_limit_delete', `DELETE FROM ${RATE_LIMIT_TABLE} WHERE key = ANY($1)`);
  }

  async read(counters: readonly Counter[]): Promise<Array<CounterState | null>> {
    const now = Date.now();
    const keys = storedKeys(counters);
    const rows = new Map((await this.reads.rows([keys, now])).map((row) => [row.key, row]));
    return keys.map((key) => {
      const row = rows.get(key);
      return row ? { consumedPoints: row.points, msBeforeNext: row.expire === null ? -1 : Math.max(Number(row.expire) - now, 0) } : null;
    });
  }

  async delete(counters: readonly Counter[]): Promise<void> {
    await this.deletes.rows([storedKeys(counters)]);
  }
}

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
  private readonly counters: RateLimitCounters;

  constructor(dataSource: DataSource, limits: LoginThrottleLimits, namespace = 'login') {
    this.counters = new RateLimitCounters(dataSource);
    const make = (keyPrefix: string, failures: number) =>
      postgresCounter(dataSource, {
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

  private keys(keys: ThrottleKeys): [pair: Counter, email: Counter, ip: Counter] {
    const email = emailCounterKey(keys.email);
    return [
      [this.pair, `${email}|${keys.ip}`],
      [this.email, email],
      [this.ip, keys.ip],
    ];
  }

  private static lockOf(limiter: RateLimiterPostgres, state: CounterState | null): LockState {
    return state && state.consumedPoints > limiter.points
      ? { locked: true, retryAfterSeconds: Math.ceil(state.msBeforeNext / 1000) }
      : { locked: false, retryAfterSeconds: 0 };
  }

  /** The per-IP ceiling alone, for failures that carry no trustworthy email (a bad magic-link token). */
  async checkIp(ip: string): Promise<LockState> {
    const [state] = await this.counters.read([[this.ip, ip]]);
    return LoginThrottle.lockOf(this.ip, state);
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

  /**
   * Whether any of the keys is locked now. `alongside` are other counters the caller needs at the
   * same moment (the plugin's guess budget); they are read in the same statement and returned in order.
   */
  async check(keys: ThrottleKeys, alongside: readonly Counter[] = []): Promise<LockState & { alongside: Array<CounterState | null> }> {
    const own = this.keys(keys);
    const states = await this.counters.read([...own, ...alongside]);
    const retry = Math.max(0, ...own.map(([limiter], i) => LoginThrottle.lockOf(limiter, states[i]).retryAfterSeconds));
    return { locked: retry > 0, retryAfterSeconds: retry, alongside: states.slice(own.length) };
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
    const [pair, email] = this.keys(keys);
    await this.counters.delete([pair, email]);
  }
}
