import { DEFAULT_SETTINGS } from '@plystra/plugin-auth-settings';
import { checkRedirectUrl, handOffTarget, magicLinkBase, maskEmail, withToken } from './magic-link-url';

const s = { ...DEFAULT_SETTINGS, publicAppUrl: 'https://app.example.com', serverPublicUrl: 'https://auth.example.com', allowedRedirectOrigins: ['https://admin.example.com'] };

describe('magic-link URLs', () => {
  it('accepts HTTPS redirects to an allowed origin only, never silently', () => {
    expect(checkRedirectUrl('https://app.example.com/welcome?x=1', s, true)).toEqual({ ok: true, url: 'https://app.example.com/welcome?x=1' });
    expect(checkRedirectUrl('https://auth.example.com/auth/consume', s, true).ok).toBe(true);
    expect(checkRedirectUrl('https://admin.example.com/', s, true).ok).toBe(true);
    for (const bad of [
      'https://evil.example.com/', 'https://app.example.com.evil.com/', 'http://app.example.com/', 'javascript:alert(1)', '//app.example.com/x',
      'https://user:pw@app.example.com/', 'https://app.example.com/#frag', 'https://app.example.com/?token=x', 'not a url',
    ]) {
      expect(checkRedirectUrl(bad, s, false)).toMatchObject({ ok: false });
    }
  });

  it('accepts plain http only for localhost and only outside production', () => {
    const local = { ...s, publicAppUrl: 'http://localhost:5173' };
    expect(checkRedirectUrl('http://localhost:5173/cb', local, false).ok).toBe(true);
    expect(checkRedirectUrl('http://localhost:5173/cb', local, true).ok).toBe(false);
  });

  it('builds the emailed URL from redirect_url, public_app_url or server_public_url', () => {
    expect(magicLinkBase(s, 'https://app.example.com/cb', null)).toBe('https://app.example.com/cb');
    expect(magicLinkBase(s, null, null)).toBe('https://app.example.com/auth/consume');
    expect(magicLinkBase({ ...s, publicAppUrl: '' }, null, null)).toBe('https://auth.example.com/auth/consume');
    expect(magicLinkBase({ ...s, publicAppUrl: '', serverPublicUrl: '' }, null, null)).toBeNull();
    expect(withToken('https://app.example.com/cb?x=1', 'ply_ml_abc')).toBe('https://app.example.com/cb?x=1&token=ply_ml_abc');
    expect(handOffTarget(s, null)).toBe('https://app.example.com/');
    expect(handOffTarget({ ...s, publicAppUrl: '' }, null)).toBeNull();
    expect(maskEmail('alice@example.com')).toBe('a…@example.com');
  });
});
