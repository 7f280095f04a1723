import { isValidPermissionKey, permissionCovers } from './permission-keys';

describe('permission keys', () => {
  it.each(['*', 'users:read', 'users:*', 'admin_grants:manage', 'api-keys:read', 'authz:check'])('accepts %s', (key) => {
    expect(isValidPermissionKey(key)).toBe(true);
  });
  it.each(['*:read', 'users', 'Users:read', 'users:Read', 'users:', ':read', 'users:read/write', 'users:**', 'users:read:extra', ''])('refuses %p', (key) => {
    expect(isValidPermissionKey(key)).toBe(false);
  });
  it('matches exact, wildcard and manage keys within a domain only', () => {
    expect(permissionCovers('users:manage', 'users:read')).toBe(true);
    expect(permissionCovers('api_keys:manage', 'api_keys:create')).toBe(true);
    expect(permissionCovers('users:*', 'users:disable')).toBe(true);
    expect(permissionCovers('users:read', 'spaces:read')).toBe(false);
    expect(permissionCovers('users:read', 'users:manage')).toBe(false);
    expect(permissionCovers('*', 'anything:at_all')).toBe(true);
  });
});
