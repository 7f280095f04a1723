import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
// The plugin runs on the CLI's database: what `settings:set` writes is what the plugin then reads.
import { startPlugin, type PluginTestApp } from '../../plugin-auth-complete/test/plugin-test-app';
import { runCli } from '../src/cli/cli';

async function cli(args: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('plystra settings:set and the auth plugin agree (one database, the real plugin)', () => {
  let db: TestDatabase;
  let plugin: PluginTestApp;
  const env = () => ({ DATABASE_URL: db.url });
  const row = async (key: string) =>
    (await db.dataSource.query(`SELECT value, updated_at, updated_by FROM plugin_auth_settings WHERE key = $1`, [key]))[0] as { value: unknown; updated_at: Date; updated_by: string | null };

  beforeAll(async () => {
    db = await createTestDatabase();
    plugin = await startPlugin({ db });
  });
  afterAll(async () => {
    await plugin?.app.close();
    await db?.drop();
  });

  /** What the plugin's own write path (SettingsService.set) says about this value. */
  const pluginRefusal = (key: string, value: unknown) =>
    plugin.settings.set(key, value, 'test').then(
      () => null,
      (error: Error) => error.message,
    );

  it.each([
    ['a number out of range', 'max_request_body_bytes', '10', /^max_request_body_bytes must be an integer from 1024 to 67108864$/],
    ['a duration out of range', 'email_capability_timeout', '"10m"', /^email_capability_timeout must be a duration .* from 0\.1s to 120s$/],
    ['a CIDR with a bad prefix', 'trusted_proxy_cidrs', '["10.0.0.0/8","10.0.0.0/33"]', /^trusted_proxy_cidrs .*10\.0\.0\.0\/33/],
    ['a URL with credentials', 'email_capability_url', '"https://user:pw@mail.example.com"', /^email_capability_url must not carry credentials/],
    ['a URL that is not http(s)', 'public_app_url', '"ftp://app.example.com"', /^public_app_url must use https/],
    ['an origin with a path', 'allowed_redirect_origins', '["https://app.example.com/app"]', /^allowed_redirect_origins .*must be an origin/],
  ])('refuses %s exactly as the plugin does (same message, exit 2, nothing written)', async (_what, key, json, message) => {
    const before = await row(key);
    const result = await cli(['settings:set', key, json], env());
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    const refusal = await pluginRefusal(key, JSON.parse(json));
    expect(refusal).toMatch(message);
    expect(result.err).toBe(`error: ${refusal}`);
    expect(await row(key)).toEqual(before);
  });

  it('writes an accepted value, and the plugin reads it with no problem reported', async () => {
    expect(plugin.settings.store.current.magicLinkTtlSeconds).toBe(600);
    const ttl = await cli(['settings:set', 'magic_link_ttl', '"90s"', '--updated-by', 'ops'], env());
    expect(ttl).toEqual({ code: 0, out: 'magic_link_ttl = "90s"', err: '' });
    const proxies = await cli(['settings:set', 'trusted_proxy_cidrs', '["10.0.0.0/8"]'], env());
    expect(proxies.code).toBe(0);
    expect(await row('magic_link_ttl')).toMatchObject({ value: '90s', updated_by: 'ops' });

    await plugin.settings.reload();
    expect(plugin.settings.store.problems).toEqual([]);
    expect(plugin.settings.store.current.magicLinkTtlSeconds).toBe(90);
    expect(plugin.settings.store.current.trust('10.1.2.3', 0)).toBe(true);
    expect(plugin.settings.store.current.trust('192.0.2.1', 0)).toBe(false);
  });
});
