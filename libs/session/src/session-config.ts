import { parseDurationSeconds } from '@plystra/http';
import { z } from 'zod';

/** The shortest idle timeout allowed: shorter than an access token's life, an active client could never refresh. */
export const MIN_IDLE_TIMEOUT_SECONDS = 15 * 60;

/**
 * `PLYSTRA_SESSION_IDLE_TIMEOUT`, read the same way by Core and the auth plugin (their sessions are
 * one table, refreshed by either): unset, empty, `off` or `0` → null (no idle limit, the default);
 * otherwise a duration of at least 15m.
 */
export const envIdleTimeout = () =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const v = value?.trim().toLowerCase() ?? '';
      if (v === '' || v === 'off' || v === '0') return null;
      const seconds = parseDurationSeconds(v);
      if (seconds === null || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 30m, or off, got "${value}"` });
        return z.NEVER;
      }
      if (seconds < MIN_IDLE_TIMEOUT_SECONDS) {
        ctx.addIssue({ code: 'custom', message: `must be at least 15m (the access-token lifetime), or off; got "${value}"` });
        return z.NEVER;
      }
      return seconds;
    });
