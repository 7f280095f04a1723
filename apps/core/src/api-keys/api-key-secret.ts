import { randomBytes } from 'node:crypto';
import { API_KEY_PREFIX } from '@plystra/session';

/** `ply_ak_<id>`: the public, stored part of a key. */
export function apiKeyPrefix(id: string): string {
  return `${API_KEY_PREFIX}${id}`;
}

/** A new plaintext key `ply_ak_<id>.<64 hex>` (32 random bytes); it is shown once and stored only as an HMAC. */
export function newApiKeyPlaintext(id: string): string {
  return `${apiKeyPrefix(id)}.${randomBytes(32).toString('hex')}`;
}

/**
 * Permission keys as stored on a key: trimmed, lower-cased, de-duplicated in first-seen order.
 * Anything that is not a list of strings is returned as it came, for validation to refuse.
 */
export function normalisePermissionKeys(value: unknown): unknown {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return value;
  return [...new Set(value.map((v: string) => v.trim().toLowerCase()))];
}
