import { isSecretLookingKey } from '@plystra/db';
import { type TrustFn, compileTrustedProxies, parseDurationSeconds, validateProxyEntries } from '@plystra/http';
import { PLUGIN_AUTH_SETTING_DEFAULTS } from '@plystra/migrations-plugin-auth-complete';

/*
 * The plugin_auth_settings schema and parser (complete-auth.md §5), in one place for everyone who
 * reads or writes the table: the auth plugin parses every row with it on each reload, and
 * `plystra settings:set` refuses with it exactly what the plugin would refuse, with the same message.
 */

export type EmailDeliveryMode = 'log' | 'capability';

/** The settings of complete-auth.md §5, parsed (durations in seconds, URLs normalised). */
export interface PluginSettings {
  publicRegistrationEnabled: boolean;
  emailDeliveryMode: EmailDeliveryMode;
  emailCapabilityUrl: string;
  emailCapabilityTimeoutSeconds: number;
  emailFromAddress: string;
  emailFromName: string;
  publicAppUrl: string;
  serverPublicUrl: string;
  magicLinkPath: string;
  allowedRedirectOrigins: string[];
  emailCodeTtlSeconds: number;
  magicLinkTtlSeconds: number;
  authChallengeMaxAttempts: number;
  emailSendMaxAttempts: number;
  loginFailureLimit: number;
  loginFailureWindowSeconds: number;
  loginFailureLockoutSeconds: number;
  maxRequestBodyBytes: number;
  trustedProxyCidrs: string[];
}

/** What requests read: the parsed settings plus values derived from them once per change. */
export interface LiveSettings extends PluginSettings {
  trust: TrustFn;
}

export interface SettingProblem {
  key: string;
  message: string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

const CONTROL = /[\u0000-\u001f\u007f]/;
const SIMPLE_EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

const boolean = (raw: unknown): Parsed<boolean> => (typeof raw === 'boolean' ? ok(raw) : bad('must be true or false'));

const integer = (min: number, max: number) => (raw: unknown): Parsed<number> =>
  typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max ? ok(raw) : bad(`must be an integer from ${min} to ${max}`);

/** `"15m"`, `"30s"`, `"500ms"`, or a number of seconds. */
const duration = (minSeconds: number, maxSeconds: number) => (raw: unknown): Parsed<number> => {
  const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseDurationSeconds(raw) : null;
  if (seconds === null || !Number.isFinite(seconds) || seconds < minSeconds || seconds > maxSeconds) {
    return bad(`must be a duration such as "15m" or "30s", from ${minSeconds}s to ${maxSeconds}s`);
  }
  return ok(seconds);
};

/** An http(s) URL without credentials, query or fragment; `""` means unset. Trailing slash dropped. */
export function parseBaseUrl(raw: unknown): Parsed<string> {
  if (raw === '') return ok('');
  if (typeof raw !== 'string' || raw.length > 2048) return bad('must be an http(s) URL or ""');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return bad('must be an http(s) URL or ""');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return bad('must use https (or http for local development)');
  if (url.username || url.password) return bad('must not carry credentials (secrets belong in the environment)');
  if (url.search || url.hash) return bad('must not have a query string or fragment');
  return ok(url.toString().replace(/\/+$/, ''));
}

/** An http(s) origin (`scheme://host[:port]`), returned in its canonical form. */
export function parseOrigin(raw: unknown): Parsed<string> {
  const base = parseBaseUrl(raw);
  if (!base.ok) return base;
  if (!base.value) return bad('must not be empty');
  const url = new URL(base.value);
  if (url.pathname !== '/') return bad('must be an origin (scheme://host[:port]) without a path');
  return ok(url.origin);
}

const text = (max: number) => (raw: unknown): Parsed<string> =>
  typeof raw === 'string' && raw.length <= max && !CONTROL.test(raw) ? ok(raw) : bad(`must be text of at most ${max} characters without control characters`);

const PARSERS: { [K in keyof PluginSettings]: { key: string; parse: (raw: unknown) => Parsed<PluginSettings[K]> } } = {
  publicRegistrationEnabled: { key: 'public_registration_enabled', parse: boolean },
  emailDeliveryMode: {
    key: 'email_delivery_mode',
    parse: (raw) => (raw === 'log' || raw === 'capability' ? ok(raw) : bad('must be "log" or "capability"')),
  },
  emailCapabilityUrl: { key: 'email_capability_url', parse: parseBaseUrl },
  emailCapabilityTimeoutSeconds: { key: 'email_capability_timeout', parse: duration(0.1, 120) },
  emailFromAddress: {
    key: 'email_from_address',
    parse: (raw) => (raw === '' || (typeof raw === 'string' && raw.length <= 254 && SIMPLE_EMAIL.test(raw)) ? ok(raw as string) : bad('must be an email address or ""')),
  },
  emailFromName: { key: 'email_from_name', parse: text(256) },
  publicAppUrl: { key: 'public_app_url', parse: parseBaseUrl },
  serverPublicUrl: { key: 'server_public_url', parse: parseBaseUrl },
  magicLinkPath: {
    key: 'magic_link_path',
    parse: (raw) => {
      if (typeof raw !== 'string' || !/^\/[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/.test(raw) || raw.length > 200) {
        return bad('must be a path such as "/auth/consume"');
      }
      if (/^\/(api|health)(\/|$)/.test(raw)) return bad('must not be under /api or /health');
      return ok(raw);
    },
  },
  allowedRedirectOrigins: {
    key: 'allowed_redirect_origins',
    parse: (raw) => {
      if (!Array.isArray(raw) || raw.length > 100) return bad('must be a list of at most 100 origins');
      const origins: string[] = [];
      for (const entry of raw) {
        const origin = parseOrigin(entry);
        if (!origin.ok) return bad(`${JSON.stringify(entry)} ${origin.problem}`);
        origins.push(origin.value);
      }
      return ok(origins);
    },
  },
  emailCodeTtlSeconds: { key: 'email_code_ttl', parse: duration(1, 24 * 3600) },
  magicLinkTtlSeconds: { key: 'magic_link_ttl', parse: duration(1, 24 * 3600) },
  authChallengeMaxAttempts: { key: 'auth_challenge_max_attempts', parse: integer(1, 100) },
  emailSendMaxAttempts: { key: 'email_send_max_attempts', parse: integer(1, 1000) },
  loginFailureLimit: { key: 'login_failure_limit', parse: integer(1, 1000) },
  loginFailureWindowSeconds: { key: 'login_failure_window', parse: duration(1, 7 * 86400) },
  loginFailureLockoutSeconds: { key: 'login_failure_lockout', parse: duration(1, 7 * 86400) },
  maxRequestBodyBytes: { key: 'max_request_body_bytes', parse: integer(1024, 64 * 1024 * 1024) },
  trustedProxyCidrs: {
    key: 'trusted_proxy_cidrs',
    parse: (raw) => {
      if (!Array.isArray(raw) || raw.length > 256 || !raw.every((entry) => typeof entry === 'string')) return bad('must be a list of IP addresses or CIDRs');
      const problems = validateProxyEntries(raw as string[]);
      return problems.length ? bad(problems.join('; ')) : ok(raw as string[]);
    },
  },
};

const FIELD_BY_KEY = new Map(Object.entries(PARSERS).map(([field, spec]) => [spec.key, field as keyof PluginSettings]));
export const SETTING_KEYS: string[] = [...FIELD_BY_KEY.keys()];

function parseOne(key: string, raw: unknown): { field: keyof PluginSettings; parsed: Parsed<unknown> } | null {
  const field = FIELD_BY_KEY.get(key);
  if (!field) return null;
  return { field, parsed: (PARSERS[field].parse as (raw: unknown) => Parsed<unknown>)(raw) };
}

/** The problem with writing `value` under `key`, or null when it is acceptable. */
export function settingWriteProblem(key: string, value: unknown): string | null {
  if (isSecretLookingKey(key)) return `${key} looks like a secret; secrets come from the environment, never from settings`;
  const one = parseOne(key, value);
  if (!one) return `${key} is not a known setting`;
  return one.parsed.ok ? null : `${key} ${one.parsed.problem}`;
}

function withDerived(settings: PluginSettings): LiveSettings {
  return { ...settings, trust: compileTrustedProxies(settings.trustedProxyCidrs) };
}

/** The defaults the migration seeds, parsed. */
export const DEFAULT_SETTINGS: LiveSettings = (() => {
  const out: Partial<Record<keyof PluginSettings, unknown>> = {};
  for (const [key, raw] of PLUGIN_AUTH_SETTING_DEFAULTS) {
    const one = parseOne(key, raw);
    if (!one || !one.parsed.ok) throw new Error(`the default of ${key} does not parse`);
    out[one.field] = one.parsed.value;
  }
  for (const field of Object.keys(PARSERS)) if (!(field in out)) throw new Error(`setting ${field} has no default`);
  return withDerived(out as PluginSettings);
})();

/**
 * Validates the stored rows. A bad value is reported and the last good value (or the default)
 * stays in force; a key that looks like a secret or is unknown is reported and ignored; a missing
 * key keeps its default.
 */
export function applySettingRows(
  rows: Array<{ key: string; value: unknown }>,
  lastGood: LiveSettings,
): { settings: LiveSettings; problems: SettingProblem[] } {
  const next: PluginSettings = { ...lastGood };
  delete (next as Partial<LiveSettings>).trust;
  const problems: SettingProblem[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (isSecretLookingKey(row.key)) {
      problems.push({ key: row.key, message: 'looks like a secret and is ignored; secrets come from the environment' });
      continue;
    }
    const one = parseOne(row.key, row.value);
    if (!one) {
      problems.push({ key: row.key, message: 'is not a known setting and is ignored' });
      continue;
    }
    seen.add(row.key);
    if (one.parsed.ok) (next as unknown as Record<string, unknown>)[one.field] = one.parsed.value;
    else problems.push({ key: row.key, message: `${one.parsed.problem}; the last good value stays in force` });
  }
  for (const [field, spec] of Object.entries(PARSERS)) {
    if (!seen.has(spec.key)) (next as unknown as Record<string, unknown>)[field] = (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[field];
  }
  const unchangedProxies = JSON.stringify(next.trustedProxyCidrs) === JSON.stringify(lastGood.trustedProxyCidrs);
  return { settings: unchangedProxies ? { ...next, trust: lastGood.trust } : withDerived(next), problems };
}
