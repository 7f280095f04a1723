import { Inject, Injectable } from '@nestjs/common';
import { PreparedStatement } from '@plystra/db';
import { ApiError, headerOf, bearerToken } from '@plystra/http';
import { API_KEY_PREFIX, SessionService, TokenHasher } from '@plystra/session';
import { DataSource } from 'typeorm';
import { ApiKeyCache } from './api-key.cache';
import { type ApiKeyRow, type CachedKeyProof, type GrantRow, type Principal, heldFromApiKey, heldFromGrants } from './principal';

export const API_KEY_HASHER = Symbol('API_KEY_HASHER');

const API_KEY_FORMAT = /^ply_ak_([^.\s]+)\.([0-9a-f]{64})$/;
/** last_used_at is refreshed at most this often per key, so a busy key is not one write per request. */
const LAST_USED_RESOLUTION_SECONDS = 60;

const API_KEY_LOOKUP_SQL = `SELECT id, name, level, space_id, group_id, permission_keys, created_by_user_id, created_by_member_id,
        (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $3)) AS refresh_last_used,
        expires_at, (SELECT version FROM api_key_version WHERE id = 1) AS key_version
   FROM api_keys
  WHERE id = $1 AND key_hash = ANY($2) AND status = 'active' AND revoked_at IS NULL AND deleted_at IS NULL
    AND (expires_at IS NULL OR expires_at > now())`;

const GRANTS_LOOKUP_SQL = `SELECT id, level, permission_key, space_id, group_id, member_id FROM admin_grants
  WHERE user_id = $1 AND status = 'active' AND revoked_at IS NULL AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

interface ApiKeyLookupRow extends ApiKeyRow {
  refresh_last_used: boolean;
  expires_at: Date | null;
  key_version: string;
}

/**
 * Turns a request's credential into a principal: an API key (`X-Plystra-API-Key`, or a bearer
 * starting with `ply_ak_`; the key header wins) or a user session with its active admin grants.
 * Routes whose handler confirms a cached key (`cachedApiKey`) may get one from the cache.
 */
@Injectable()
export class CredentialService {
  /** Runs on every API-key request: a named statement, parsed and planned once per connection. */
  private readonly apiKeyLookup: PreparedStatement<ApiKeyLookupRow>;
  /** Runs on every session request to a protected route. */
  private readonly grantsLookup: PreparedStatement<GrantRow>;
  /** A cached key is re-read at least this often, which also keeps last_used_at to the minute. */
  private readonly keyCache = new ApiKeyCache(LAST_USED_RESOLUTION_SECONDS * 1000);
  /**
   * Cache misses in flight, by key HMAC: the checks that miss together (every busy key, each time
   * its entry ages out) share one read and one last_used_at refresh, instead of queueing on the
   * key row's lock one UPDATE after another.
   */
  private readonly verifying = new Map<string, Promise<ApiKeyRow>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
    @Inject(API_KEY_HASHER) private readonly apiKeyHasher: TokenHasher,
  ) {
    this.apiKeyLookup = new PreparedStatement(dataSource, 'plystra_api_key_lookup', API_KEY_LOOKUP_SQL);
    this.grantsLookup = new PreparedStatement(dataSource, 'plystra_admin_grants_lookup', GRANTS_LOOKUP_SQL);
  }

  async authenticate(req: unknown, options: { cachedApiKey?: boolean } = {}): Promise<Principal> {
    const keyHeader = headerOf(req, 'x-plystra-api-key');
    const bearer = bearerToken(req);
    if (keyHeader !== undefined) return this.apiKey(keyHeader.trim(), options.cachedApiKey);
    if (bearer?.startsWith(API_KEY_PREFIX)) return this.apiKey(bearer, options.cachedApiKey);
    if (!bearer) throw ApiError.of('AUTHENTICATION_REQUIRED', 'A bearer access token or an API key is required.');
    return this.session(bearer);
  }

  async session(token: string): Promise<Principal> {
    const check = await this.sessions.authenticate(token);
    if (check.status === 'expired') throw ApiError.of('SESSION_EXPIRED', 'The access token has expired; refresh the session.');
    if (check.status !== 'valid') throw ApiError.of('AUTHENTICATION_REQUIRED', 'The access token is not valid.');
    const grants = await this.grantsLookup.rows([check.session.user_id]);
    return { type: 'session', session: check.session, grants, superAdmin: grants.some((g) => g.level === 'instance_super_admin'), held: heldFromGrants(grants) };
  }

  async apiKey(plaintext: string, cached = false): Promise<Principal> {
    const match = API_KEY_FORMAT.exec(plaintext);
    if (!match) throw ApiError.of('AUTHENTICATION_REQUIRED', 'The API key is not valid.');
    const candidates = this.apiKeyHasher.candidates(plaintext);
    if (!cached) return apiKeyPrincipal(await this.verify(match[1], candidates));
    const hit = this.keyCache.get(candidates[0]);
    if (hit) return apiKeyPrincipal(hit.apiKey, { version: hit.version, reverify: () => this.apiKey(plaintext) });
    let verification = this.verifying.get(candidates[0]);
    if (!verification) {
      verification = this.verify(match[1], candidates).finally(() => this.verifying.delete(candidates[0]));
      this.verifying.set(candidates[0], verification);
    }
    return apiKeyPrincipal(await verification);
  }

  /** Reads the key from the database (refreshing last_used_at at most once a minute) and caches it. */
  private async verify(keyId: string, candidates: string[]): Promise<ApiKeyRow> {
    const [row] = await this.apiKeyLookup.rows([keyId, candidates, LAST_USED_RESOLUTION_SECONDS]);
    if (!row) throw ApiError.of('AUTHENTICATION_REQUIRED', 'The API key is not valid.');
    if (row.refresh_last_used) await this.dataSource.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [row.id]);
    const { refresh_last_used: _r, expires_at: expiresAt, key_version: version, ...apiKey } = row;
    this.keyCache.set(candidates[0], apiKey, version, expiresAt);
    return apiKey;
  }
}

function apiKeyPrincipal(apiKey: ApiKeyRow, cached?: CachedKeyProof): Principal {
  return { type: 'api_key', apiKey, held: heldFromApiKey(apiKey), ...(cached && { cached }) };
}
