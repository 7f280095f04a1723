import { createHmac, randomBytes, timingSafeEqual, createHash } from 'node:crypto';

export const ACCESS_TOKEN_PREFIX = 'ply_at_';
export const REFRESH_TOKEN_PREFIX = 'ply_rt_';
export const SESSION_ID_PREFIX = 'sess_';
export const API_KEY_PREFIX = 'ply_ak_';
export const MAGIC_LINK_PREFIX = 'ply_ml_';

const HEX64 = /^[0-9a-f]{64}$/;

/** `<prefix>` + 64 lowercase hex (32 random bytes). */
export function newOpaqueToken(prefix: string): string {
  return prefix + randomBytes(32).toString('hex');
}

export function hasTokenShape(token: string, prefix: string): boolean {
  return token.startsWith(prefix) && HEX64.test(token.slice(prefix.length));
}

/**
 * HMAC-SHA256 of secrets at rest, with rotation: new hashes use the primary secret; lookups try
 * the primary and then every previous secret, in that order.
 */
export class TokenHasher {
  private readonly secrets: string[];

  constructor(primary: string, previous: string[] = []) {
    if (!primary) throw new Error('a token hashing secret is required');
    this.secrets = [...new Set([primary, ...previous.filter(Boolean)])];
  }

  hash(value: string): string {
    return createHmac('sha256', this.secrets[0]).update(value).digest('hex');
  }

  /** The hashes a stored value may have: primary first, then each previous secret. */
  candidates(value: string): string[] {
    return this.secrets.map((secret) => createHmac('sha256', secret).update(value).digest('hex'));
  }
}

/** Constant-time equality of two strings of any length. */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}
