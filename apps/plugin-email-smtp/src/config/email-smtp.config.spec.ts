import { ConfigError } from '@plystra/http';
import { emailSmtpConfigProblems, loadEmailSmtpConfig } from './email-smtp.config';

const base = { DATABASE_URL: 'postgres://u:p@db:5432/plystra', EMAIL_CAPABILITY_TOKEN: 'a-development-token-of-some-length' };

describe('email-smtp config', () => {
  it('listens on 127.0.0.1:8791 by default and reads secrets from the environment', () => {
    const config = loadEmailSmtpConfig({ ...base, SMTP_PASSWORD: 'pw' });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 8791, capabilityToken: base.EMAIL_CAPABILITY_TOKEN, smtpPassword: 'pw', migrateOnStart: false, production: false });
  });

  it('takes the PLYSTRA_ aliases and EMAIL_SMTP_LISTEN_ADDR', () => {
    const config = loadEmailSmtpConfig({
      PLYSTRA_DATABASE_URL: base.DATABASE_URL,
      PLYSTRA_EMAIL_CAPABILITY_TOKEN: 'token-from-the-alias-variable',
      EMAIL_SMTP_LISTEN_ADDR: '[::]:9000',
      PLYSTRA_MIGRATE_ON_START: 'true',
    });
    expect(config).toMatchObject({ databaseUrl: base.DATABASE_URL, capabilityToken: 'token-from-the-alias-variable', host: '::', port: 9000, migrateOnStart: true });
  });

  it('reports every problem at once', () => {
    expect(emailSmtpConfigProblems({ EMAIL_SMTP_LISTEN_ADDR: 'nowhere', LOG_LEVEL: 'loud' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^LOG_LEVEL/),
      ]),
    );
    const problems = emailSmtpConfigProblems({ EMAIL_SMTP_LISTEN_ADDR: 'nowhere' });
    expect(problems).toEqual([
      'EMAIL_SMTP_LISTEN_ADDR: expected host:port or [v6]:port, got "nowhere"',
      'DATABASE_URL: is required (or PLYSTRA_DATABASE_URL)',
      'EMAIL_CAPABILITY_TOKEN: is required (or PLYSTRA_EMAIL_CAPABILITY_TOKEN)',
    ]);
    expect(() => loadEmailSmtpConfig({})).toThrow(ConfigError);
  });

  it('refuses a short or placeholder token and development database credentials in production', () => {
    expect(emailSmtpConfigProblems({ ...base, SERVER_MODE: 'production', EMAIL_CAPABILITY_TOKEN: 'short-token-20-chars', DATABASE_URL: 'postgres://postgres:postgres@db/plystra' })).toEqual([
      'DATABASE_URL: uses the development default credentials',
      'EMAIL_CAPABILITY_TOKEN: must be at least 32 characters in production',
    ]);
    expect(emailSmtpConfigProblems({ ...base, SERVER_MODE: 'production', EMAIL_CAPABILITY_TOKEN: 'change-me-change-me-change-me-change-me' })).toEqual([
      'EMAIL_CAPABILITY_TOKEN: is a known placeholder value',
    ]);
    expect(emailSmtpConfigProblems({ ...base, SERVER_MODE: 'production', EMAIL_CAPABILITY_TOKEN: 'x'.repeat(40) })).toEqual([]);
  });

  it('parses listen addresses', () => {
    expect(loadEmailSmtpConfig({ ...base, EMAIL_SMTP_LISTEN_ADDR: '0.0.0.0:8791' })).toMatchObject({ host: '0.0.0.0', port: 8791 });
    expect(loadEmailSmtpConfig({ ...base, EMAIL_SMTP_LISTEN_ADDR: '[::1]:0' })).toMatchObject({ host: '::1', port: 0 });
    for (const bad of ['localhost:70000', '8791']) expect(emailSmtpConfigProblems({ ...base, EMAIL_SMTP_LISTEN_ADDR: bad })).toContainEqual(expect.stringMatching(/^EMAIL_SMTP_LISTEN_ADDR/));
  });
});
