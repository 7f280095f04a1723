import { createHmac } from 'node:crypto';
import { ACCESS_TOKEN_PREFIX, TokenHasher, constantTimeEqual, hasTokenShape, newOpaqueToken } from './tokens';

describe('opaque tokens', () => {
  it('are a prefix and 64 lowercase hex characters', () => {
    const token = newOpaqueToken(ACCESS_TOKEN_PREFIX);
    expect(token).toMatch(/^ply_at_[0-9a-f]{64}$/);
    expect(hasTokenShape(token, ACCESS_TOKEN_PREFIX)).toBe(true);
    expect(hasTokenShape(token.toUpperCase(), ACCESS_TOKEN_PREFIX)).toBe(false);
    expect(hasTokenShape('ply_rt_' + token.slice(7), ACCESS_TOKEN_PREFIX)).toBe(false);
  });

  it('hash with the primary secret and look up with [primary, previous…]', () => {
    const hasher = new TokenHasher('primary-secret', ['old-secret', 'primary-secret', '']);
    const hmac = (key: string) => createHmac('sha256', key).update('value').digest('hex');
    expect(hasher.hash('value')).toBe(hmac('primary-secret'));
    expect(hasher.candidates('value')).toEqual([hmac('primary-secret'), hmac('old-secret')]);
  });

  it('compare in constant time', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
