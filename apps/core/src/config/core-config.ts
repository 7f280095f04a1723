import { z } from 'zod';
import {
  ConfigError, DEFAULT_DEV_CORS_ORIGINS, corsProblems, envBoolean, envDuration, envHttpAdapter, envInt, envList, envLogFormat, envLogLevel, envServerMode, envText,
  foldAliases, parseEnv, publicUrlProblems, secretProblems, validateProxyEntries,
} from '@plystra/http';
import { envIdleTimeout } from '@plystra/session';

export const DEV_SESSION_SECRET = 'development-session-secret-not-for-production';
export const DEV_API_KEY_SECRET = 'development-api-key-secret-not-for-production';
export const AUDIT_WRITE_MODES = ['always', 'deny_only', 'disabled_for_dev'] as const;
export type AuditWriteMode = (typeof AUDIT_WRITE_MODES)[number];

/** Every variable Core reads, with its default. Aliases are folded before parsing. */
const schema = z.object({
  DATABASE_URL: envText(),
  DATABASE_POOL_SIZE: envInt(10, 1, 200),
  PLYSTRA_SESSION_SECRET: envText(),
  PLYSTRA_SESSION_SECRET_PREVIOUS: envList(),
  PLYSTRA_API_KEY_SECRET: envText(),
  PLYSTRA_API_KEY_SECRET_PREVIOUS: envList(),
  SERVER_HOST: z.string().optional().default('127.0.0.1'),
  SERVER_PORT: envInt(8080, 0, 65535),
  SERVER_MODE: envServerMode(),
  SERVER_PUBLIC_URL: envText(),
  CORS_ALLOWED_ORIGINS: envList(),
  TRUSTED_PROXIES: envList(),
  LOG_LEVEL: envLogLevel(),
  LOG_FORMAT: envLogFormat(),
  PLYSTRA_HTTP_ADAPTER: envHttpAdapter(),
  AUDIT_WRITE_MODE: z.enum(AUDIT_WRITE_MODES).optional().default('always'),
  METRICS_ENABLED: envBoolean(false),
  METRICS_TOKEN: envText(),
  MAX_REQUEST_BODY_BYTES: envInt(1024 * 1024, 1024, 64 * 1024 * 1024),
  PLYSTRA_PASSWORD_MIN_LENGTH: envInt(12, 8, 1024),
  PLYSTRA_AUTH_LOGIN_MAX_FAILURES: envInt(8, 1, 1000),
  PLYSTRA_AUTH_LOGIN_WINDOW: envDuration('15m'),
  PLYSTRA_AUTH_LOGIN_LOCKOUT: envDuration('15m'),
  PLYSTRA_AUTH_LOGIN_EMAIL_MAX_FAILURES: envInt(20, 1, 10000),
  PLYSTRA_SESSION_IDLE_TIMEOUT: envIdleTimeout(),
  PLYSTRA_REFRESH_REUSE_GRACE: envDuration('10s'),
  PLYSTRA_AUTH_REGISTRATION_ENABLED: envBoolean(false),
  PLYSTRA_AUTH_REGISTRATION_TOKEN: envText(),
  PLYSTRA_AUTH_PUBLIC_USER_REGISTRATION_ENABLED: envBoolean(false),
  PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED: envBoolean(false),
  PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN: envText(),
  PLYSTRA_MIGRATE_ON_START: envBoolean(false),
  PLYSTRA_DB_SYNCHRONIZE: envBoolean(false),
  PLYSTRA_CORE_VERSION: z.string().optional().default('0.1.0'),
});

const ALIASES: Record<string, string[]> = {
  DATABASE_URL: ['PLYSTRA_DATABASE_URL'],
  PLYSTRA_SESSION_SECRET: ['SESSION_SECRET'],
  PLYSTRA_SESSION_SECRET_PREVIOUS: ['SESSION_SECRET_PREVIOUS'],
  PLYSTRA_API_KEY_SECRET: ['API_KEY_SECRET'],
  PLYSTRA_API_KEY_SECRET_PREVIOUS: ['API_KEY_SECRET_PREVIOUS'],
  SERVER_HOST: ['PLYSTRA_SERVER_HOST'],
  SERVER_PORT: ['PLYSTRA_SERVER_PORT'],
  SERVER_MODE: ['PLYSTRA_ENV'],
  SERVER_PUBLIC_URL: ['PLYSTRA_SERVER_PUBLIC_URL'],
  METRICS_TOKEN: ['PLYSTRA_METRICS_TOKEN'],
  PLYSTRA_DB_SYNCHRONIZE: ['TYPEORM_SYNCHRONIZE', 'DB_SYNCHRONIZE'],
};

export type CoreConfig = ReturnType<typeof buildConfig>;

function buildConfig(v: z.infer<typeof schema>) {
  const production = v.SERVER_MODE === 'production';
  return {
    production,
    databaseUrl: v.DATABASE_URL,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    sessionSecret: v.PLYSTRA_SESSION_SECRET ?? DEV_SESSION_SECRET,
    sessionSecretPrevious: v.PLYSTRA_SESSION_SECRET_PREVIOUS,
    apiKeySecret: v.PLYSTRA_API_KEY_SECRET ?? DEV_API_KEY_SECRET,
    apiKeySecretPrevious: v.PLYSTRA_API_KEY_SECRET_PREVIOUS,
    host: v.SERVER_HOST,
    port: v.SERVER_PORT,
    publicUrl: v.SERVER_PUBLIC_URL ?? `http://localhost:${v.SERVER_PORT}`,
    corsAllowedOrigins: v.CORS_ALLOWED_ORIGINS.length ? v.CORS_ALLOWED_ORIGINS : production ? [] : DEFAULT_DEV_CORS_ORIGINS,
    trustedProxies: v.TRUSTED_PROXIES,
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
    httpAdapter: v.PLYSTRA_HTTP_ADAPTER,
    auditWriteMode: v.AUDIT_WRITE_MODE as AuditWriteMode,
    metricsEnabled: v.METRICS_ENABLED,
    metricsToken: v.METRICS_TOKEN,
    maxRequestBodyBytes: v.MAX_REQUEST_BODY_BYTES,
    passwordPolicy: { minLength: v.PLYSTRA_PASSWORD_MIN_LENGTH, maxBytes: 1024 },
    loginLimits: {
      maxFailures: v.PLYSTRA_AUTH_LOGIN_MAX_FAILURES,
      windowSeconds: v.PLYSTRA_AUTH_LOGIN_WINDOW,
      lockoutSeconds: v.PLYSTRA_AUTH_LOGIN_LOCKOUT,
      emailMaxFailures: v.PLYSTRA_AUTH_LOGIN_EMAIL_MAX_FAILURES,
    },
    sessionIdleTimeoutSeconds: v.PLYSTRA_SESSION_IDLE_TIMEOUT,
    refreshReuseGraceSeconds: v.PLYSTRA_REFRESH_REUSE_GRACE,
    registration: {
      ordinaryEnabled: v.PLYSTRA_AUTH_REGISTRATION_ENABLED,
      ordinaryToken: v.PLYSTRA_AUTH_REGISTRATION_TOKEN,
      publicUserOnlyEnabled: v.PLYSTRA_AUTH_PUBLIC_USER_REGISTRATION_ENABLED,
      bootstrapEnabled: v.PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED,
      bootstrapToken: v.PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN,
    },
    migrateOnStart: v.PLYSTRA_MIGRATE_ON_START,
    coreVersion: v.PLYSTRA_CORE_VERSION,
  };
}

/** The guards of core.md §9: what production refuses to start with, each naming its variable. */
function productionProblems(v: z.infer<typeof schema>): string[] {
  const problems: string[] = [];
  if (!v.DATABASE_URL) problems.push('DATABASE_URL: is required in production (or PLYSTRA_DATABASE_URL)');
  else if (/:\/\/(plystra:plystra|postgres:postgres)@/.test(v.DATABASE_URL)) problems.push('DATABASE_URL: uses the development default credentials');
  problems.push(...secretProblems('PLYSTRA_SESSION_SECRET', v.PLYSTRA_SESSION_SECRET));
  v.PLYSTRA_SESSION_SECRET_PREVIOUS.forEach((s, i) => problems.push(...secretProblems(`PLYSTRA_SESSION_SECRET_PREVIOUS[${i}]`, s)));
  problems.push(...secretProblems('PLYSTRA_API_KEY_SECRET', v.PLYSTRA_API_KEY_SECRET));
  v.PLYSTRA_API_KEY_SECRET_PREVIOUS.forEach((s, i) => problems.push(...secretProblems(`PLYSTRA_API_KEY_SECRET_PREVIOUS[${i}]`, s)));
  if (v.PLYSTRA_API_KEY_SECRET && v.PLYSTRA_API_KEY_SECRET === v.PLYSTRA_SESSION_SECRET) {
    problems.push('PLYSTRA_API_KEY_SECRET: must differ from PLYSTRA_SESSION_SECRET');
  }
  if (v.PLYSTRA_AUTH_REGISTRATION_ENABLED && (v.PLYSTRA_AUTH_REGISTRATION_TOKEN ?? '').length < 32) {
    problems.push('PLYSTRA_AUTH_REGISTRATION_TOKEN: must be at least 32 characters when registration is enabled');
  }
  if (v.PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED && (v.PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN ?? '').length < 32) {
    problems.push('PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN: must be at least 32 characters when bootstrap registration is enabled');
  }
  problems.push(...corsProblems('CORS_ALLOWED_ORIGINS', v.CORS_ALLOWED_ORIGINS));
  problems.push(...publicUrlProblems('SERVER_PUBLIC_URL', v.SERVER_PUBLIC_URL));
  if (v.AUDIT_WRITE_MODE === 'disabled_for_dev') problems.push('AUDIT_WRITE_MODE: disabled_for_dev is refused in production');
  return problems;
}

/** Every configuration problem at once (used by start-up and by `plystra doctor`). */
export function coreConfigProblems(env: Record<string, string | undefined>): string[] {
  const folded = foldAliases(schema, env, ALIASES);
  let parsed: z.infer<typeof schema>;
  try {
    parsed = parseEnv(schema, folded);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  const problems = validateProxyEntries(parsed.TRUSTED_PROXIES).map((p) => `TRUSTED_PROXIES: ${p}`);
  if (parsed.PLYSTRA_DB_SYNCHRONIZE) problems.push('PLYSTRA_DB_SYNCHRONIZE: ORM schema synchronisation is not supported; the schema comes from versioned migrations (npm run plystra -- migrate)');
  if (parsed.SERVER_MODE === 'production') problems.push(...productionProblems(parsed));
  return problems;
}

/** Reads and validates Core's environment once, at start-up. */
export function loadCoreConfig(env: Record<string, string | undefined> = process.env): CoreConfig {
  const problems = coreConfigProblems(env);
  if (problems.length) throw new ConfigError(problems);
  return buildConfig(parseEnv(schema, foldAliases(schema, env, ALIASES)));
}

/** Just what the CLI's database commands need, without the service's other requirements. */
export function loadDatabaseSettings(env: Record<string, string | undefined>): { url: string | undefined; production: boolean } {
  const folded = foldAliases(schema, env, ALIASES);
  return { url: folded.DATABASE_URL?.trim() || undefined, production: (folded.SERVER_MODE ?? '').toLowerCase() === 'production' };
}
