import { runMigrations } from '@plystra/db';
import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { pluginEmailSmtpMigrations } from '../../../../migrations/plugin-email-smtp';
import { DEFAULT_SMTP_SETTINGS, SmtpSettingsError, parseSmtpSettings } from './smtp-settings';
import { SmtpSettingsRepository } from './smtp-settings.repository';

describe('SMTP settings', () => {
  it('fills missing keys with defaults and returns unknown keys', () => {
    const { settings, unknownKeys } = parseSmtpSettings([{ key: 'port', value: 2525 }, { key: 'colour', value: 'blue' }]);
    expect(settings).toEqual({ ...DEFAULT_SMTP_SETTINGS, port: 2525 });
    expect(unknownKeys).toEqual(['colour']);
  });

  it('reports every bad value and every secret-looking key together', () => {
    let error: unknown;
    try {
      parseSmtpSettings([
        { key: 'port', value: '587' },
        { key: 'tls_mode', value: 'maybe' },
        { key: 'default_sender', value: 'not an address' },
        { key: 'smtp_password', value: 'hunter2' },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SmtpSettingsError);
    const problems = (error as SmtpSettingsError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe('smtp_password: looks like a secret; secrets come from the environment only');
    expect(problems.slice(1).map((p) => p.split(':')[0]).sort()).toEqual(['default_sender', 'port', 'tls_mode']);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('plugin_email_smtp_settings table', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.url, pluginEmailSmtpMigrations);
  });
  afterAll(() => db.drop());

  it('is seeded with exactly the defaults the code uses', async () => {
    const { settings, unknownKeys } = await new SmtpSettingsRepository(db.dataSource).load();
    expect(settings).toEqual(DEFAULT_SMTP_SETTINGS);
    expect(unknownKeys).toEqual([]);
    const rows: Array<{ key: string }> = await db.dataSource.query(`SELECT key FROM plugin_email_smtp_settings ORDER BY key`);
    expect(rows.map((r) => r.key).sort()).toEqual(Object.keys(DEFAULT_SMTP_SETTINGS).sort());
  });

  it.each(['smtp_password', 'password', 'api-key', 'Auth.Token', 'client_secret', 'private_key'])('refuses the secret-looking key %s', async (key) => {
    await expect(db.dataSource.query(`INSERT INTO plugin_email_smtp_settings (key, value) VALUES ($1, '"x"')`, [key])).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '23514' }),
    });
  });

  it('records its migrations in its own tracking table', async () => {
    const rows: Array<{ name: string }> = await db.dataSource.query(`SELECT name FROM plugin_email_smtp_migrations ORDER BY id`);
    expect(rows.map((r) => r.name)).toEqual(['CreateSmtpSettings1764300000000', 'CreateIdempotencyKeys1764300000100']);
    expect(await runMigrations(db.url, pluginEmailSmtpMigrations)).toEqual([]);
  });
});
