import { Inject, Injectable } from '@nestjs/common';
import { insertAuditRows, newId, pgErrorInfo, PG_UNIQUE_VIOLATION } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import type { TokenHasher } from '@plystra/session';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../access/access-policy.service';
import { principalOf } from '../access/access.guard';
import { API_KEY_HASHER } from '../access/credential.service';
import type { Principal } from '../access/principal';
import { mutationAuditRow } from '../audit/mutation-audit';
import { type CredentialScope, checkedMetadata, futureExpiry, resolveCredentialScope } from '../admin/credential-scope';
import type { RevokeDto } from '../admin/dto/admin-grant.dto';
import { assertDelegable, assertTarget, visibleScope } from '../admin/target-access';
import { apiKeyPrefix, newApiKeyPlaintext } from './api-key-secret';
import { ApiKeysRepository, type ApiKey } from './api-keys.repository';
import type { ApiKeyCreateDto, ApiKeyQueryDto } from './dto/api-key.dto';

const scopeOf = (key: Pick<ApiKey, 'space_id' | 'group_id'>): CredentialScope => ({ spaceId: key.space_id, groupId: key.group_id });

/** Who is answerable for a new key: the session's user, or the creating key's creator. */
function creatorOf(principal: Principal) {
  if (principal.type === 'session') {
    return { created_by_user_id: principal.session.user_id, created_by_member_id: principal.session.active_member_id, created_by_api_key_id: null };
  }
  const k = principal.apiKey;
  return { created_by_user_id: k.created_by_user_id, created_by_member_id: k.created_by_member_id, created_by_api_key_id: k.id };
}

/**
 * Scoped API keys (core.md §7, reference §5.2). A creator needs api_keys:create for the key's
 * scope and must already hold there every permission it puts on the key (a super-admin session
 * excepted); a key is never a super admin, whatever its permissions. The plaintext is returned
 * once, at creation, and only its HMAC is stored.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeysRepository,
    private readonly policy: AccessPolicy,
    @Inject(API_KEY_HASHER) private readonly hasher: TokenHasher,
  ) {}

  list(query: ApiKeyQueryDto, ctx: RequestContext) {
    return this.keys.list(query, visibleScope(principalOf(ctx.credential), 'api_keys:read'));
  }

  async get(id: string, ctx: RequestContext): Promise<ApiKey> {
    const key = await this.found(id);
    await assertTarget(this.policy, principalOf(ctx.credential), 'api_keys:read', scopeOf(key));
    return key;
  }

  async create(dto: ApiKeyCreateDto, ctx: RequestContext) {
    const principal = principalOf(ctx.credential);
    const scope = await resolveCredentialScope(this.dataSource, dto.level, dto);
    const expiresAt = futureExpiry(dto.expires_at);
    const metadata = checkedMetadata(dto.metadata);
    await assertTarget(this.policy, principal, 'api_keys:create', scope);
    await assertDelegable(this.policy, principal, dto.permission_keys, scope);
    const id = dto.id ?? newId('ak');
    const plaintext = newApiKeyPlaintext(id);
    try {
      const key = await this.dataSource.transaction(async (m) => {
        const row = await this.keys.insert(m, {
          id,
          name: dto.name,
          key_prefix: apiKeyPrefix(id),
          key_hash: this.hasher.hash(plaintext),
          level: dto.level,
          space_id: scope.spaceId,
          group_id: scope.groupId,
          permission_keys: dto.permission_keys,
          status: dto.status ?? 'active',
          expires_at: expiresAt,
          ...creatorOf(principal),
          metadata,
        });
        await insertAuditRows(m, [this.auditRow('api_key.created', row, principal, ctx)]);
        return row;
      });
      return { ...key, api_key: plaintext, key: plaintext };
    } catch (error) {
      if (pgErrorInfo(error)?.code === PG_UNIQUE_VIOLATION) throw ApiError.conflict('API_KEY_CONFLICT', `An API key with id ${JSON.stringify(id)} already exists.`);
      throw error;
    }
  }

  async revoke(id: string, dto: RevokeDto, ctx: RequestContext): Promise<ApiKey> {
    const principal = principalOf(ctx.credential);
    const key = await this.found(id);
    await assertTarget(this.policy, principal, 'api_keys:revoke', scopeOf(key));
    return this.dataSource.transaction(async (m) => {
      const revoked = await this.keys.revoke(m, id, dto.revoked_reason ?? null, principal.type === 'session' ? principal.session.user_id : null);
      if (!revoked) throw ApiError.conflict('API_KEY_CONFLICT', `API key ${JSON.stringify(id)} is already revoked.`);
      await insertAuditRows(m, [this.auditRow('api_key.revoked', revoked, principal, ctx)]);
      return revoked;
    });
  }

  private async found(id: string): Promise<ApiKey> {
    const key = await this.keys.find(id);
    if (!key) throw ApiError.notFound('API_KEY', id);
    return key;
  }

  /** The key's scope and state, never its plaintext or hash (and no key names that read as secrets). */
  private auditRow(action: string, key: ApiKey, principal: Principal, ctx: RequestContext) {
    const { created_by_api_key_id, last_used_at: _lastUsed, ...details } = key;
    return mutationAuditRow(
      { action, resourceType: 'api_key', resourceId: key.id, spaceId: key.space_id, details: { ...details, created_by_key_id: created_by_api_key_id } },
      principal,
      ctx,
    );
  }
}
