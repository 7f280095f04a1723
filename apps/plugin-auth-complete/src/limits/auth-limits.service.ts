import { Injectable } from '@nestjs/common';
import { ApiError } from '@plystra/http';
import { LoginThrottle, type LockState, emailCounterKey, postgresCounter } from '@plystra/session';
import { type RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import type { LiveSettings } from '@plystra/plugin-auth-settings';
import { SettingsStore } from '../settings/settings.store';

/** Per-IP ceilings, as multiples of the per-email limits (one IP serving many people: an office, a NAT). */
export const SEND_IP_CEILING_FACTOR = 10;
export const REGISTER_IP_CEILING_FACTOR = 10;
/** Same namespace as Core's throttle, so a lock from either service holds on both. */
const LOGIN_NAMESPACE = 'login';

interface Limiters {
  signature: string;
  login: LoginThrottle;
  sendEmail: RateLimiterPostgres;
  sendIp: RateLimiterPostgres;
  guessEmail: RateLimiterPostgres;
  registerIp: RateLimiterPostgres;
}

const retryAfter = (rejection: unknown): number => {
  if (rejection instanceof RateLimiterRes) return rejection.msBeforeNext / 1000;
  throw rejection;
};

/**
 * Every counter the plugin keeps, in PostgreSQL (rate-limiter-flexible's store on Core's
 * `auth_rate_limits` table), built from the live settings and rebuilt when they change, so all
 * replicas and restarts see the same counts:
 * - login failures: libs/session's LoginThrottle, same keys as Core (a lock is shared);
 * - sends: `email_send_max_attempts` per email per window, plus a per-IP ceiling;
 * - guesses: `email_send_max_attempts × auth_challenge_max_attempts` failed verifies per email per
 *   window, so re-sending never resets the budget;
 * - registrations: a per-IP ceiling.
 */
@Injectable()
export class AuthLimitsService {
  private built: Limiters | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: SettingsStore,
  ) {}

  private limiters(): Limiters {
    const s = this.settings.current;
    const signature = [s.loginFailureLimit, s.loginFailureWindowSeconds, s.loginFailureLockoutSeconds, s.emailSendMaxAttempts, s.authChallengeMaxAttempts].join(':');
    if (this.built?.signature === signature) return this.built;
    this.built = this.build(s, signature);
    return this.built;
  }

  private build(s: LiveSettings, signature: string): Limiters {
    const window = Math.max(1, Math.round(s.loginFailureWindowSeconds));
    const make = (keyPrefix: string, points: number) => postgresCounter(this.dataSource, { keyPrefix, points, duration: window });
    return {
      signature,
      login: new LoginThrottle(this.dataSource, { maxFailures: s.loginFailureLimit, windowSeconds: window, lockoutSeconds: s.loginFailureLockoutSeconds }, LOGIN_NAMESPACE),
      sendEmail: make('plugin_auth:send:email', s.emailSendMaxAttempts),
      sendIp: make('plugin_auth:send:ip', s.emailSendMaxAttempts * SEND_IP_CEILING_FACTOR),
      guessEmail: make('plugin_auth:guess:email', s.emailSendMaxAttempts * s.authChallengeMaxAttempts),
      registerIp: make('plugin_auth:register:ip', s.emailSendMaxAttempts * REGISTER_IP_CEILING_FACTOR),
    };
  }

  /** The login throttle for the current limits (what SignInService uses). */
  loginThrottle(): LoginThrottle {
    return this.limiters().login;
  }

  /** Counts one send for the address and the IP; the send over the limit answers 429. */
  async consumeSend(email: string, ip: string): Promise<void> {
    const l = this.limiters();
    let wait = 0;
    await Promise.all([
      l.sendEmail.consume(emailCounterKey(email)).catch((r: unknown) => void (wait = Math.max(wait, retryAfter(r)))),
      l.sendIp.consume(ip).catch((r: unknown) => void (wait = Math.max(wait, retryAfter(r)))),
    ]);
    if (wait > 0) throw ApiError.rateLimited(wait, 'Too many sign-in emails were requested; try again later.');
  }

  async consumeRegistration(ip: string): Promise<void> {
    await this.limiters().registerIp.consume(ip).catch((r: unknown) => {
      throw ApiError.rateLimited(retryAfter(r), 'Too many registrations from this address; try again later.');
    });
  }

  /** Whether the (email, IP) login lock or the email's guess budget refuses a verify now. */
  async verifyLock(email: string, ip: string): Promise<LockState> {
    const l = this.limiters();
    const login = await l.login.check({ email, ip }, [[l.guessEmail, emailCounterKey(email)]]);
    if (login.locked) return { locked: true, retryAfterSeconds: login.retryAfterSeconds };
    const [guesses] = login.alongside;
    if (guesses && guesses.consumedPoints >= l.guessEmail.points) return { locked: true, retryAfterSeconds: Math.ceil(guesses.msBeforeNext / 1000) };
    return { locked: false, retryAfterSeconds: 0 };
  }

  /** A failed verify counts as a failed login for (email, IP) and spends one guess of the email's budget. */
  async recordVerifyFailure(email: string, ip: string): Promise<LockState> {
    const l = this.limiters();
    const [login] = await Promise.all([l.login.fail({ email, ip }), l.guessEmail.consume(emailCounterKey(email)).catch((r: unknown) => retryAfter(r))]);
    return login;
  }

  async verifySucceeded(email: string, ip: string): Promise<void> {
    await this.limiters().login.succeed({ email, ip });
  }

  /** Failed magic-link consumes carry no trustworthy email: they count on the per-IP login ceiling. */
  consumeLock(ip: string): Promise<LockState> {
    return this.limiters().login.checkIp(ip);
  }

  recordConsumeFailure(ip: string): Promise<LockState> {
    return this.limiters().login.failIp(ip);
  }
}
