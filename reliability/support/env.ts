import { randomBytes } from 'node:crypto';

const secret = (label: string) => `${label}-${randomBytes(24).toString('hex')}`;
/** PLYSTRA_RELIABILITY_HTTP_ADAPTER=fastify runs every spawned service on Fastify. */
const adapter: Record<string, string> = process.env.PLYSTRA_RELIABILITY_HTTP_ADAPTER ? { PLYSTRA_HTTP_ADAPTER: process.env.PLYSTRA_RELIABILITY_HTTP_ADAPTER } : {};

/**
 * Fresh secrets per test file, long and random, so a scan for them has no false positives and a
 * hit can only be a leak. Every service process of a file shares them (one database, one secret).
 */
export const SECRETS = {
  sessionSecret: secret('sess-secret'),
  apiKeySecret: secret('apikey-secret'),
  capabilityToken: secret('cap-token'),
  smtpPassword: secret('smtp-pass'),
  metricsToken: secret('metrics-token'),
  bootstrapToken: secret('bootstrap-token'),
  registrationToken: secret('registration-token'),
};

export function coreEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: '0',
    SERVER_MODE: 'development',
    PLYSTRA_SESSION_SECRET: SECRETS.sessionSecret,
    PLYSTRA_API_KEY_SECRET: SECRETS.apiKeySecret,
    LOG_LEVEL: 'debug',
    // The test client is a trusted proxy, so X-Forwarded-For is parsed (and attacked).
    TRUSTED_PROXIES: '127.0.0.1',
    METRICS_ENABLED: 'true',
    METRICS_TOKEN: SECRETS.metricsToken,
    PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED: 'true',
    PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN: SECRETS.bootstrapToken,
    PLYSTRA_AUTH_REGISTRATION_ENABLED: 'true',
    PLYSTRA_AUTH_REGISTRATION_TOKEN: SECRETS.registrationToken,
    ...adapter,
    ...extra,
  };
}

export function pluginEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    AUTH_PLUGIN_LISTEN_ADDR: '127.0.0.1:0',
    SERVER_MODE: 'development',
    PLYSTRA_SESSION_SECRET: SECRETS.sessionSecret,
    PLYSTRA_EMAIL_CAPABILITY_TOKEN: SECRETS.capabilityToken,
    LOG_LEVEL: 'debug',
    ...adapter,
    ...extra,
  };
}

export function smtpEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    EMAIL_SMTP_LISTEN_ADDR: '127.0.0.1:0',
    SERVER_MODE: 'development',
    EMAIL_CAPABILITY_TOKEN: SECRETS.capabilityToken,
    SMTP_PASSWORD: SECRETS.smtpPassword,
    LOG_LEVEL: 'debug',
    ...adapter,
    ...extra,
  };
}
