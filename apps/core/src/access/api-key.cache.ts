import type { ApiKeyRow } from './principal';

/** At most this many verified keys are held per process; the oldest goes first. */
export const API_KEY_CACHE_LIMIT = 10_000;

interface Entry {
  apiKey: ApiKeyRow;
  /** The `api_key_version` token read together with the key. */
  version: string;
  expiresAt: number | null;
  verifiedAt: number;
}

/**
 * Verified API keys, by the HMAC of the key (never the key itself). Owner: the credential
 * service, for the routes whose handler confirms a cached key (authorization checks). Bound:
 * API_KEY_CACHE_LIMIT entries, each at most `maxAgeMs` old. Invalidation: an entry is served
 * only while its version token is the newest this process has read, and the handler compares it
 * with the token its own query reads; any change to a key on any replica replaces the token
 * (a trigger), so a revoked key is refused on every replica's next check.
 */
export class ApiKeyCache {
  private entries = new Map<string, Entry>();
  private latest: string | null = null;

  constructor(private readonly maxAgeMs: number) {}

  get(hash: string, now = Date.now()): Entry | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.version !== this.latest || (entry.expiresAt !== null && entry.expiresAt <= now) || now - entry.verifiedAt >= this.maxAgeMs) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry;
  }

  set(hash: string, apiKey: ApiKeyRow, version: string, expiresAt: Date | string | null, now = Date.now()): void {
    if (version !== this.latest) {
      this.latest = version;
      this.entries.clear();
    }
    this.entries.delete(hash);
    if (this.entries.size >= API_KEY_CACHE_LIMIT) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { apiKey, version, expiresAt: expiresAt === null ? null : new Date(expiresAt).getTime(), verifiedAt: now });
  }
}
