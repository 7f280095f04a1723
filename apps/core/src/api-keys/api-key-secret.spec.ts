import { apiKeyPrefix, newApiKeyPlaintext, normalisePermissionKeys } from './api-key-secret';

describe('API key secrets and permission keys', () => {
  it('makes ply_ak_<id>.<64 hex> plaintexts, different every time, with the id as prefix', () => {
    const a = newApiKeyPlaintext('ak_0123456789abcdef');
    const b = newApiKeyPlaintext('ak_0123456789abcdef');
    expect(a).toMatch(/^ply_ak_ak_0123456789abcdef\.[0-9a-f]{64}$/);
    expect(a.startsWith(`${apiKeyPrefix('ak_0123456789abcdef')}.`)).toBe(true);
    expect(a).not.toBe(b);
  });

  it('trims, lower-cases and de-duplicates permission keys in first-seen order', () => {
    expect(normalisePermissionKeys([' Users:Read', 'users:read', 'API_KEYS:*', '*'])).toEqual(['users:read', 'api_keys:*', '*']);
  });

  it('leaves anything that is not a list of strings for validation to refuse', () => {
    expect(normalisePermissionKeys('users:read')).toBe('users:read');
    expect(normalisePermissionKeys(['users:read', 3])).toEqual(['users:read', 3]);
    expect(normalisePermissionKeys(null)).toBeNull();
  });
});
