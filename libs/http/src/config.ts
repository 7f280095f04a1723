import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses an environment with a zod schema and reports every bad variable at once. */
export function parseEnv<S extends z.ZodTypeAny>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`));
  }
  return result.data;
}

/**
 * The environment a service's schema parses: each of the schema's keys, or when unset the first
 * of the key's aliases that is set (`PLYSTRA_DATABASE_URL` for `DATABASE_URL`, say).
 */
export function foldAliases(schema: { shape: object }, env: Record<string, string | undefined>, aliases: Record<string, string[]>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) out[key] = env[key] ?? aliases[key]?.map((alias) => env[alias]).find((v) => v !== undefined);
  return out;
}

/** Optional text: unset or blank reads as absent, anything else trimmed. */
export const envText = () =>
  z
    .string()
    .optional()
    .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

/** `SERVER_MODE`: development (default) or production, case-insensitive. */
export const envServerMode = () =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? 'development').toLowerCase())
    .pipe(z.enum(['development', 'production'], { message: 'expected development or production' }));

/** `LOG_LEVEL` (default info) and `LOG_FORMAT` (default json). */
export const envLogLevel = () => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional().default('info');
export const envLogFormat = () => z.enum(['json', 'text']).optional().default('json');

/**
 * A listen address: `host:port` or `[v6]:port`, the port may be 0 (any free port); with
 * `barePortHost`, a bare port too, on that host. Null when it is none of these.
 */
export function parseListenAddr(value: string, barePortHost?: string): { host: string; port: number } | null {
  const match = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):)?(\d{1,5})$/.exec(value.trim());
  const host = match ? (match[1] ?? match[2] ?? barePortHost) : undefined;
  if (!match || host === undefined || Number(match[3]) > 65535) return null;
  return { host, port: Number(match[3]) };
}

const TRUTHY = new Set(['1', 'true', 'yes', 'on', 'enabled']);
const FALSY = new Set(['0', 'false', 'no', 'off', 'disabled', '']);

/** A boolean variable: 1/true/yes/on/enabled or 0/false/no/off/disabled (case-insensitive). */
export const envBoolean = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const v = value.trim().toLowerCase();
      if (TRUTHY.has(v)) return true;
      if (FALSY.has(v)) return false;
      ctx.addIssue({ code: 'custom', message: `expected a boolean (true/false), got "${value}"` });
      return z.NEVER;
    });

/** The HTTP adapters a service can run on (`PLYSTRA_HTTP_ADAPTER`); Express is the default. */
export const HTTP_ADAPTERS = ['express', 'fastify'] as const;
export type HttpAdapterName = (typeof HTTP_ADAPTERS)[number];

/** `PLYSTRA_HTTP_ADAPTER`: express (default) or fastify, case-insensitive; blank means the default. */
export const envHttpAdapter = () =>
  z
    .string()
    .optional()
    .transform((value) => (value?.trim() || 'express').toLowerCase())
    .pipe(z.enum(HTTP_ADAPTERS, { message: 'expected express or fastify' }));

/** A comma-separated list; blanks dropped. */
export const envList = () =>
  z
    .string()
    .optional()
    .transform((value) => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** A duration: `15m`, `10s`, `1h`, `500ms`, or a bare number of minutes. Result in seconds. */
export function parseDurationSeconds(value: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) return null;
  const n = Number(match[1]);
  const unit = match[2] ?? 'm';
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[unit]!;
  return n * factor;
}

export const envDuration = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const seconds = parseDurationSeconds(value ?? fallback);
      if (seconds === null || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 15m or 30s, got "${value}"` });
        return z.NEVER;
      }
      return seconds;
    });

export const envInt = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected an integer from ${min} to ${max}, got "${value}"` });
        return z.NEVER;
      }
      return n;
    });

export const KNOWN_SECRET_PLACEHOLDERS = new Set([
  'change-me-session-secret-at-least-32-characters',
  'change-me-api-key-secret-at-least-32-characters',
  'change-me',
  'changeme',
  'secret',
  'development-session-secret-not-for-production',
  'development-api-key-secret-not-for-production',
]);

/** Problems with a secret that production refuses: shorter than 32 characters or a placeholder. */
export function secretProblems(name: string, value: string | undefined): string[] {
  if (!value) return [`${name}: is required in production`];
  if (value.length < 32) return [`${name}: must be at least 32 characters in production`];
  if (KNOWN_SECRET_PLACEHOLDERS.has(value) || /^(change-?me|replace-with)/i.test(value)) return [`${name}: is a known placeholder value`];
  return [];
}

export function publicUrlProblems(name: string, value: string | undefined): string[] {
  if (!value) return [`${name}: is required in production`];
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${name}: is not a valid URL`];
  }
  if (['localhost', '127.0.0.1', '[::1]', '::1', '0.0.0.0'].includes(url.hostname)) return [`${name}: must not point at localhost in production`];
  return [];
}

export function corsProblems(name: string, origins: string[]): string[] {
  if (origins.length === 0) return [`${name}: must list the allowed origins in production`];
  if (origins.includes('*')) return [`${name}: must not contain * in production`];
  return [];
}

export const DEFAULT_DEV_CORS_ORIGINS = ['3000', '5173', '8080'].flatMap((port) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`]);
