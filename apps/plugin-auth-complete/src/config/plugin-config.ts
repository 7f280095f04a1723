import { z } from 'zod';
import {
  ConfigError, DEFAULT_DEV_CORS_ORIGINS, envBoolean, envDuration, envHttpAdapter, envInt, envList, envLogFormat, envLogLevel, envServerMode, envText, foldAliases,
  parseEnv, parseListenAddr, secretProblems,
} from '@plystra/http';
import { envIdleTimeout } from '@plystra/session';

export const DEV_SESSION_SECRET = 'development-session-secret-not-for-production';
export const DEFAULT_LISTEN_ADDR = '127.0.0.1:8790';

/**
 * The plugin's environment: only secrets and process bootstrap values (complete-auth.md §5).
 * Everything an operator tunes at run time is a row in `plugin_auth_settings`.
 */
const schema = z.object({
  DATABASE_URL: envText(),
  DATABASE_POOL_SIZE: envInt(10, 1, 200),
  PLYSTRA_SESSION_SECRET: envText(),
  PLYSTRA_SESSION_SECRET_PREVIOUS: envList(),
  PLYSTRA_EMAIL_CAPABILITY_TOKEN: envText(),
  AUTH_PLUGIN_LISTEN_ADDR: z.string().optional().default(DEFAULT_LISTEN_ADDR),
  SERVER_MODE: envServerMode(),
  CORS_ALLOWED_ORIGINS: envList(),
  LOG_LEVEL: envLogLevel(),
  LOG_FORMAT: envLogFormat(),
  PLYSTRA_HTTP_ADAPTER: envHttpAdapter(),
  PLYSTRA_PASSWORD_MIN_LENGTH: envInt(12, 8, 1024),
  PLYSTRA_REFRESH_REUSE_GRACE: envDuration('10s'),
  /**
   * Environment, not a settings row: sessions are one table refreshed by Core and by the plugin,
   * so the idle limit is a property of the shared session mechanics and must read the same on
   * both (like PLYSTRA_REFRESH_REUSE_GRACE); a plugin-only row could not bind Core's refresh.
   */
  PLYSTRA_SESSION_IDLE_TIMEOUT: envIdleTimeout(),
  PLYSTRA_MIGRATE_ON_START: envBoolean(false),
});

const ALIASES: Record<string, string[]> = {
  DATABASE_URL: ['PLYSTRA_DATABASE_URL'],
  PLYSTRA_SESSION_SECRET: ['SESSION_SECRET'],
  PLYSTRA_SESSION_SECRET_PREVIOUS: ['SESSION_SECRET_PREVIOUS'],
  PLYSTRA_EMAIL_CAPABILITY_TOKEN: ['EMAIL_CAPABILITY_TOKEN'],
  SERVER_MODE: ['PLYSTRA_ENV'],
};

/** `AUTH_PLUGIN_LISTEN_ADDR` may also be a bare port, on this host. */
const BARE_PORT_HOST = '127.0.0.1';

function buildConfig(v: z.infer<typeof schema>) {
  const production = v.SERVER_MODE === 'production';
  const listen = parseListenAddr(v.AUTH_PLUGIN_LISTEN_ADDR, BARE_PORT_HOST)!;
  return {
    production,
    databaseUrl: v.DATABASE_URL,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    sessionSecret: v.PLYSTRA_SESSION_SECRET ?? DEV_SESSION_SECRET,
    sessionSecretPrevious: v.PLYSTRA_SESSION_SECRET_PREVIOUS,
    emailCapabilityToken: v.PLYSTRA_EMAIL_CAPABILITY_TOKEN ?? null,
    host: listen.host,
    port: listen.port,
    corsAllowedOrigins: v.CORS_ALLOWED_ORIGINS.length ? v.CORS_ALLOWED_ORIGINS : production ? [] : DEFAULT_DEV_CORS_ORIGINS,
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
    httpAdapter: v.PLYSTRA_HTTP_ADAPTER,
    passwordPolicy: { minLength: v.PLYSTRA_PASSWORD_MIN_LENGTH, maxBytes: 1024 },
    refreshReuseGraceSeconds: v.PLYSTRA_REFRESH_REUSE_GRACE,
    sessionIdleTimeoutSeconds: v.PLYSTRA_SESSION_IDLE_TIMEOUT,
    migrateOnStart: v.PLYSTRA_MIGRATE_ON_START,
    /** How often every replica re-reads its settings (the fallback when a NOTIFY is lost). */
    settingsRefreshMs: 1000,
    /** LISTEN for `plugin_auth_settings_changed` so a change applies at once. */
    settingsListen: true,
    /** How often expired challenges and counters are swept; 0 turns the sweep off. */
    maintenanceIntervalMs: 10 * 60_000,
  };
}

export type PluginConfig = ReturnType<typeof buildConfig>;

function productionProblems(v: z.infer<typeof schema>): string[] {
  const problems: string[] = [];
  if (!v.DATABASE_URL) problems.push('DATABASE_URL: is required in production (or PLYSTRA_DATABASE_URL)');
  else if (/:\/\/(plystra:plystra|postgres:postgres)@/.test(v.DATABASE_URL)) problems.push('DATABASE_URL: uses the development default credentials');
  problems.push(...secretProblems('PLYSTRA_SESSION_SECRET', v.PLYSTRA_SESSION_SECRET));
  v.PLYSTRA_SESSION_SECRET_PREVIOUS.forEach((s, i) => problems.push(...secretProblems(`PLYSTRA_SESSION_SECRET_PREVIOUS[${i}]`, s)));
  if (v.CORS_ALLOWED_ORIGINS.includes('*')) problems.push('CORS_ALLOWED_ORIGINS: must not contain * in production');
  return problems;
}

/** Every configuration problem at once. */
export function pluginConfigProblems(env: Record<string, string | undefined>): string[] {
  let parsed: z.infer<typeof schema>;
  try {
    parsed = parseEnv(schema, foldAliases(schema, env, ALIASES));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  const problems: string[] = [];
  if (!parseListenAddr(parsed.AUTH_PLUGIN_LISTEN_ADDR, BARE_PORT_HOST)) problems.push(`AUTH_PLUGIN_LISTEN_ADDR: expected host:port, [v6]:port or a port, got "${parsed.AUTH_PLUGIN_LISTEN_ADDR}"`);
  if (parsed.SERVER_MODE === 'production') problems.push(...productionProblems(parsed));
  return problems;
}

/** Reads and validates the plugin's environment once, at start-up. The only reader of process.env. */
export function loadPluginConfig(env: Record<string, string | undefined> = process.env): PluginConfig {
  const problems = pluginConfigProblems(env);
  if (problems.length) throw new ConfigError(problems);
  return buildConfig(parseEnv(schema, foldAliases(schema, env, ALIASES)));
}
