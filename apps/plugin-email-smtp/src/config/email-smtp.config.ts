import { z } from 'zod';
import {
  ConfigError, envBoolean, envHttpAdapter, envInt, envList, envLogFormat, envLogLevel, envServerMode, envText, foldAliases, parseEnv, parseListenAddr,
  secretProblems, validateProxyEntries,
} from '@plystra/http';

export const SERVICE_NAME = 'plugin-email-smtp';
export const DEFAULT_LISTEN_ADDR = '127.0.0.1:8791';

/** Every variable the SMTP provider reads. Transport settings live in its settings table instead. */
const schema = z.object({
  DATABASE_URL: envText(),
  DATABASE_POOL_SIZE: envInt(5, 1, 100),
  EMAIL_SMTP_LISTEN_ADDR: z.string().optional().default(DEFAULT_LISTEN_ADDR),
  EMAIL_CAPABILITY_TOKEN: envText(),
  SMTP_PASSWORD: z.string().optional(),
  SERVER_MODE: envServerMode(),
  TRUSTED_PROXIES: envList(),
  LOG_LEVEL: envLogLevel(),
  LOG_FORMAT: envLogFormat(),
  PLYSTRA_HTTP_ADAPTER: envHttpAdapter(),
  PLYSTRA_MIGRATE_ON_START: envBoolean(false),
});

const ALIASES: Record<string, string[]> = {
  DATABASE_URL: ['PLYSTRA_DATABASE_URL'],
  EMAIL_CAPABILITY_TOKEN: ['PLYSTRA_EMAIL_CAPABILITY_TOKEN'],
  SERVER_MODE: ['PLYSTRA_ENV'],
};

export type EmailSmtpConfig = ReturnType<typeof buildConfig>;

function buildConfig(v: z.infer<typeof schema>) {
  const listen = parseListenAddr(v.EMAIL_SMTP_LISTEN_ADDR)!;
  return {
    production: v.SERVER_MODE === 'production',
    databaseUrl: v.DATABASE_URL!,
    databasePoolSize: v.DATABASE_POOL_SIZE,
    host: listen.host,
    port: listen.port,
    capabilityToken: v.EMAIL_CAPABILITY_TOKEN!,
    smtpPassword: v.SMTP_PASSWORD || undefined,
    trustedProxies: v.TRUSTED_PROXIES,
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
    httpAdapter: v.PLYSTRA_HTTP_ADAPTER,
    migrateOnStart: v.PLYSTRA_MIGRATE_ON_START,
  };
}

function problemsOf(v: z.infer<typeof schema>): string[] {
  const problems = validateProxyEntries(v.TRUSTED_PROXIES).map((p) => `TRUSTED_PROXIES: ${p}`);
  if (!parseListenAddr(v.EMAIL_SMTP_LISTEN_ADDR)) problems.push(`EMAIL_SMTP_LISTEN_ADDR: expected host:port or [v6]:port, got "${v.EMAIL_SMTP_LISTEN_ADDR}"`);
  if (!v.DATABASE_URL) problems.push('DATABASE_URL: is required (or PLYSTRA_DATABASE_URL)');
  if (v.SERVER_MODE === 'production') {
    if (v.DATABASE_URL && /:\/\/(plystra:plystra|postgres:postgres)@/.test(v.DATABASE_URL)) problems.push('DATABASE_URL: uses the development default credentials');
    problems.push(...secretProblems('EMAIL_CAPABILITY_TOKEN', v.EMAIL_CAPABILITY_TOKEN));
  } else if (!v.EMAIL_CAPABILITY_TOKEN) {
    problems.push('EMAIL_CAPABILITY_TOKEN: is required (or PLYSTRA_EMAIL_CAPABILITY_TOKEN)');
  } else if (v.EMAIL_CAPABILITY_TOKEN.length < 16) {
    problems.push('EMAIL_CAPABILITY_TOKEN: must be at least 16 characters');
  }
  return problems;
}

/** Every configuration problem at once. */
export function emailSmtpConfigProblems(env: Record<string, string | undefined>): string[] {
  try {
    return problemsOf(parseEnv(schema, foldAliases(schema, env, ALIASES)));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** Reads and validates the provider's environment once, at start-up. */
export function loadEmailSmtpConfig(env: Record<string, string | undefined> = process.env): EmailSmtpConfig {
  const problems = emailSmtpConfigProblems(env);
  if (problems.length) throw new ConfigError(problems);
  return buildConfig(parseEnv(schema, foldAliases(schema, env, ALIASES)));
}
