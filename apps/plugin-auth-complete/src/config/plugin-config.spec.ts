import { ConfigError } from '@plystra/http';
import { DEFAULT_LISTEN_ADDR, loadPluginConfig, pluginConfigProblems } from './plugin-config';

describe('plugin configuration (environment)', () => {
  it('listens on 127.0.0.1:8790 by default and parses AUTH_PLUGIN_LISTEN_ADDR', () => {
    expect(DEFAULT_LISTEN_ADDR).toBe('127.0.0.1:8790');
    expect(loadPluginConfig({})).toMatchObject({ host: '127.0.0.1', port: 8790, production: false, emailCapabilityToken: null });
    expect(loadPluginConfig({ AUTH_PLUGIN_LISTEN_ADDR: '0.0.0.0:9000' })).toMatchObject({ host: '0.0.0.0', port: 9000 });
    expect(loadPluginConfig({ AUTH_PLUGIN_LISTEN_ADDR: '[::]:8790' })).toMatchObject({ host: '::', port: 8790 });
    expect(loadPluginConfig({ AUTH_PLUGIN_LISTEN_ADDR: '8790' })).toMatchObject({ host: '127.0.0.1', port: 8790 });
    expect(pluginConfigProblems({ AUTH_PLUGIN_LISTEN_ADDR: 'host:99999' })[0]).toMatch(/AUTH_PLUGIN_LISTEN_ADDR/);
    expect(pluginConfigProblems({ AUTH_PLUGIN_LISTEN_ADDR: 'nonsense:port' })[0]).toMatch(/AUTH_PLUGIN_LISTEN_ADDR/);
  });

  it('reads the capability token under either name', () => {
    expect(loadPluginConfig({ EMAIL_CAPABILITY_TOKEN: 'a'.repeat(40) }).emailCapabilityToken).toBe('a'.repeat(40));
    expect(loadPluginConfig({ PLYSTRA_EMAIL_CAPABILITY_TOKEN: 'b'.repeat(40), EMAIL_CAPABILITY_TOKEN: 'a'.repeat(40) }).emailCapabilityToken).toBe('b'.repeat(40));
  });

  it('refuses to start in production without a database URL or a real session secret, reporting every problem at once', () => {
    const problems = pluginConfigProblems({ SERVER_MODE: 'production', PLYSTRA_SESSION_SECRET: 'change-me', CORS_ALLOWED_ORIGINS: '*' });
    expect(problems).toEqual([
      expect.stringMatching(/^DATABASE_URL: is required/),
      expect.stringMatching(/^PLYSTRA_SESSION_SECRET: must be at least 32/),
      expect.stringMatching(/^CORS_ALLOWED_ORIGINS: must not contain \*/),
    ]);
    expect(() => loadPluginConfig({ SERVER_MODE: 'production' })).toThrow(ConfigError);
    expect(pluginConfigProblems({ SERVER_MODE: 'production', DATABASE_URL: 'postgres://plystra:plystra@db/plystra', PLYSTRA_SESSION_SECRET: 's'.repeat(40) })).toEqual([
      expect.stringMatching(/development default credentials/),
    ]);
    expect(pluginConfigProblems({ SERVER_MODE: 'production', DATABASE_URL: 'postgres://auth:pw@db/plystra', PLYSTRA_SESSION_SECRET: 's'.repeat(40) })).toEqual([]);
  });
});
