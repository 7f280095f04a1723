import { ConfigError } from '@plystra/http';
import { coreConfigProblems, loadCoreConfig } from './core-config';

const SECRET_A = 'a'.repeat(40);
const SECRET_B = 'b'.repeat(40);
const goodProduction = {
  SERVER_MODE: 'production',
  DATABASE_URL: 'postgres://core:s3cret-pass@db.internal:5432/plystra',
  PLYSTRA_SESSION_SECRET: SECRET_A,
  PLYSTRA_API_KEY_SECRET: SECRET_B,
  CORS_ALLOWED_ORIGINS: 'https://app.example.com',
  SERVER_PUBLIC_URL: 'https://plystra.example.com',
};

describe('Core configuration', () => {
  it('starts in development with no variables at all', () => {
    const config = loadCoreConfig({});
    expect(config.production).toBe(false);
    expect(config.port).toBe(8080);
    expect(config.auditWriteMode).toBe('always');
    expect(config.loginLimits).toEqual({ maxFailures: 8, windowSeconds: 900, lockoutSeconds: 900, emailMaxFailures: 20 });
    expect(config.sessionIdleTimeoutSeconds).toBeNull();
    expect(config.corsAllowedOrigins).toContain('http://localhost:3000');
    expect(config.corsAllowedOrigins).not.toContain('*');
  });

  it('accepts a well-configured production environment', () => {
    expect(coreConfigProblems(goodProduction)).toEqual([]);
    expect(loadCoreConfig(goodProduction).production).toBe(true);
  });

  const guards: Array<[string, Record<string, string | undefined>, RegExp]> = [
    ['no database URL', { DATABASE_URL: undefined }, /^DATABASE_URL: is required/],
    ['development database credentials', { DATABASE_URL: 'postgres://plystra:plystra@db:5432/plystra' }, /^DATABASE_URL: uses the development default credentials/],
    ['short session secret', { PLYSTRA_SESSION_SECRET: 'short' }, /^PLYSTRA_SESSION_SECRET: must be at least 32/],
    ['placeholder session secret', { PLYSTRA_SESSION_SECRET: 'change-me-session-secret-at-least-32-characters' }, /^PLYSTRA_SESSION_SECRET: is a known placeholder/],
    ['docker/.env.example session secret left in place', { PLYSTRA_SESSION_SECRET: 'replace-with-64-random-hex-characters-for-sessions-000000000000' }, /^PLYSTRA_SESSION_SECRET: is a known placeholder/],
    ['short previous session secret', { PLYSTRA_SESSION_SECRET_PREVIOUS: `${SECRET_B},tiny` }, /^PLYSTRA_SESSION_SECRET_PREVIOUS\[1\]: must be at least 32/],
    ['missing API-key secret', { PLYSTRA_API_KEY_SECRET: undefined }, /^PLYSTRA_API_KEY_SECRET: is required/],
    ['placeholder previous API-key secret', { PLYSTRA_API_KEY_SECRET_PREVIOUS: 'change-me-api-key-secret-at-least-32-characters' }, /^PLYSTRA_API_KEY_SECRET_PREVIOUS\[0\]: is a known placeholder/],
    ['API-key secret equal to the session secret', { PLYSTRA_API_KEY_SECRET: SECRET_A }, /^PLYSTRA_API_KEY_SECRET: must differ/],
    ['short registration token', { PLYSTRA_AUTH_REGISTRATION_ENABLED: 'true', PLYSTRA_AUTH_REGISTRATION_TOKEN: 'short' }, /^PLYSTRA_AUTH_REGISTRATION_TOKEN: must be at least 32/],
    ['short bootstrap token', { PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED: 'yes', PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN: undefined }, /^PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN: must be at least 32/],
    ['empty CORS list', { CORS_ALLOWED_ORIGINS: undefined }, /^CORS_ALLOWED_ORIGINS: must list/],
    ['wildcard CORS', { CORS_ALLOWED_ORIGINS: 'https://a.example.com,*' }, /^CORS_ALLOWED_ORIGINS: must not contain \*/],
    ['missing public URL', { SERVER_PUBLIC_URL: undefined }, /^SERVER_PUBLIC_URL: is required/],
    ['localhost public URL', { SERVER_PUBLIC_URL: 'http://127.0.0.1:8080' }, /^SERVER_PUBLIC_URL: must not point at localhost/],
    ['audit disabled', { AUDIT_WRITE_MODE: 'disabled_for_dev' }, /^AUDIT_WRITE_MODE: disabled_for_dev is refused/],
    ['ORM synchronisation', { TYPEORM_SYNCHRONIZE: 'true' }, /^PLYSTRA_DB_SYNCHRONIZE: ORM schema synchronisation is not supported/],
  ];

  it.each(guards)('refuses to start in production with %s, naming the variable', (_name, change, message) => {
    const env = { ...goodProduction, ...change };
    const problems = coreConfigProblems(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(() => loadCoreConfig(env)).toThrow(ConfigError);
  });

  it('reports every bad variable at once', () => {
    const problems = coreConfigProblems({ SERVER_PORT: 'eighty', METRICS_ENABLED: 'maybe', LOG_LEVEL: 'loud', PLYSTRA_AUTH_LOGIN_WINDOW: 'forever', TRUSTED_PROXIES: '10.0.0.0/8,not-an-ip' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'METRICS_ENABLED', 'PLYSTRA_AUTH_LOGIN_WINDOW', 'SERVER_PORT']);
    // Proxy entries are checked once the variables parse.
    expect(coreConfigProblems({ TRUSTED_PROXIES: '10.0.0.0/8,not-an-ip' })).toEqual(['TRUSTED_PROXIES: "not-an-ip" is not an IP address or CIDR']);
  });

  it('reads the documented aliases', () => {
    const config = loadCoreConfig({ PLYSTRA_DATABASE_URL: 'postgres://x@y/z', PLYSTRA_ENV: 'development', PLYSTRA_SERVER_PORT: '9090', SESSION_SECRET: SECRET_A });
    expect(config.databaseUrl).toBe('postgres://x@y/z');
    expect(config.port).toBe(9090);
    expect(config.sessionSecret).toBe(SECRET_A);
  });

  it('reads the per-email login ceiling and the optional session idle timeout', () => {
    const config = loadCoreConfig({ PLYSTRA_AUTH_LOGIN_EMAIL_MAX_FAILURES: '30', PLYSTRA_SESSION_IDLE_TIMEOUT: '30m' });
    expect(config.loginLimits.emailMaxFailures).toBe(30);
    expect(config.sessionIdleTimeoutSeconds).toBe(1800);
    expect(loadCoreConfig({ PLYSTRA_SESSION_IDLE_TIMEOUT: 'off' }).sessionIdleTimeoutSeconds).toBeNull();
    expect(coreConfigProblems({ PLYSTRA_SESSION_IDLE_TIMEOUT: '5m', PLYSTRA_AUTH_LOGIN_EMAIL_MAX_FAILURES: '0' })).toEqual([
      expect.stringContaining('PLYSTRA_AUTH_LOGIN_EMAIL_MAX_FAILURES'),
      expect.stringContaining('PLYSTRA_SESSION_IDLE_TIMEOUT'),
    ]);
    expect(coreConfigProblems({ PLYSTRA_SESSION_IDLE_TIMEOUT: 'soon' })).toEqual([expect.stringContaining('PLYSTRA_SESSION_IDLE_TIMEOUT')]);
  });
});
