import { DEFAULT_SETTINGS, SETTING_KEYS, applySettingRows, settingWriteProblem } from './plugin-auth-settings';

describe('plugin settings', () => {
  it('knows the 19 keys of the spec, with their defaults', () => {
    expect(SETTING_KEYS).toHaveLength(19);
    expect(DEFAULT_SETTINGS).toMatchObject({
      publicRegistrationEnabled: false, emailDeliveryMode: 'log', emailCapabilityTimeoutSeconds: 10, emailFromName: 'Plystra',
      magicLinkPath: '/auth/consume', emailCodeTtlSeconds: 600, magicLinkTtlSeconds: 600, authChallengeMaxAttempts: 5,
      emailSendMaxAttempts: 3, loginFailureLimit: 8, loginFailureWindowSeconds: 900, loginFailureLockoutSeconds: 900,
      maxRequestBodyBytes: 1048576, trustedProxyCidrs: [], allowedRedirectOrigins: [],
    });
  });

  it('parses good values and keeps the last good value (reporting the problem) for bad ones', () => {
    const first = applySettingRows([{ key: 'email_code_ttl', value: '30s' }, { key: 'allowed_redirect_origins', value: ['https://App.Example.com:443/'] }], DEFAULT_SETTINGS);
    expect(first.problems).toEqual([]);
    expect(first.settings.emailCodeTtlSeconds).toBe(30);
    expect(first.settings.allowedRedirectOrigins).toEqual(['https://app.example.com']);
    const second = applySettingRows([{ key: 'email_code_ttl', value: 'soon' }, { key: 'allowed_redirect_origins', value: ['https://app.example.com'] }], first.settings);
    expect(second.settings.emailCodeTtlSeconds).toBe(30);
    expect(second.problems).toEqual([{ key: 'email_code_ttl', message: expect.stringMatching(/duration.*last good value/) }]);
    // A key that disappears falls back to its default.
    expect(applySettingRows([], second.settings).settings.emailCodeTtlSeconds).toBe(600);
  });

  it('ignores and reports secret-looking and unknown keys', () => {
    const { settings, problems } = applySettingRows([{ key: 'smtp_password', value: 'x' }, { key: 'colour', value: 'red' }], DEFAULT_SETTINGS);
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(problems.map((p) => p.key)).toEqual(['smtp_password', 'colour']);
    expect(problems[0].message).toMatch(/secret/);
  });

  it('refuses writes of secret-looking keys, credentials in URLs and bad values', () => {
    expect(settingWriteProblem('email_capability_token', 'x')).toMatch(/secret/);
    expect(settingWriteProblem('email_capability_url', 'https://u:p@mail.example.com')).toMatch(/credentials/);
    expect(settingWriteProblem('magic_link_path', '/api/v1/consume')).toMatch(/must not be under/);
    expect(settingWriteProblem('magic_link_path', 'auth/consume')).toMatch(/path/);
    expect(settingWriteProblem('trusted_proxy_cidrs', ['10.0.0.0/8', 'not-an-ip'])).toMatch(/not-an-ip/);
    expect(settingWriteProblem('allowed_redirect_origins', ['https://app.example.com/path'])).toMatch(/origin/);
    expect(settingWriteProblem('max_request_body_bytes', 10)).toMatch(/from 1024/);
    expect(settingWriteProblem('public_registration_enabled', 'true')).toMatch(/true or false/);
    expect(settingWriteProblem('public_registration_enabled', true)).toBeNull();
    expect(settingWriteProblem('email_capability_timeout', '250ms')).toBeNull();
  });

  it('recompiles the trusted-proxy function only when the list changes', () => {
    const a = applySettingRows([{ key: 'trusted_proxy_cidrs', value: ['10.0.0.0/8'] }], DEFAULT_SETTINGS).settings;
    expect(a.trust('10.1.2.3', 0)).toBe(true);
    expect(a.trust('11.1.2.3', 0)).toBe(false);
    const b = applySettingRows([{ key: 'trusted_proxy_cidrs', value: ['10.0.0.0/8'] }], a).settings;
    expect(b.trust).toBe(a.trust);
  });
});
