import { Injectable } from '@nestjs/common';
import type { RequestContext } from '@plystra/http';
import { DataSource } from 'typeorm';
import { CredentialService } from '../access/credential.service';
import type { Principal } from '../access/principal';
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { AdminGrantsRepository } from './admin-grants.repository';
import { isSuperAdmin } from './target-access';

/**
 * What the calling credential is and what it may do (`GET /admin/me`, reference §2.3). Any valid
 * credential may read its own answer: the reference required `instance:read`, which would hide a
 * space or group admin's own grants from them, and this route shows nothing beyond the caller's
 * own grants or key. A missing, bad, expired or revoked credential is still refused (401).
 */
@Injectable()
export class AdminMeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialService,
    private readonly grants: AdminGrantsRepository,
    private readonly apiKeys: ApiKeysRepository,
  ) {}

  async describe(req: unknown, ctx: RequestContext) {
    const principal = await this.credentials.authenticate(req);
    ctx.credential = principal;
    const capabilities = this.capabilities(principal);
    if (principal.type === 'session') {
      const { session } = principal;
      const [grants, activeSpace, activeMember] = await Promise.all([
        this.grants.activeOfUser(session.user_id),
        this.space(session.active_space_id),
        this.member(session.active_member_id),
      ]);
      return {
        credential_type: 'session' as const,
        session_id: session.id,
        user_id: session.user_id,
        active_space: activeSpace,
        active_member: activeMember,
        grants,
        capabilities,
        super_admin: principal.superAdmin,
      };
    }
    const key = principal.apiKey;
    return {
      credential_type: 'api_key' as const,
      user_id: key.created_by_user_id,
      active_space: await this.space(key.space_id),
      active_member: null,
      grants: [],
      capabilities,
      super_admin: false,
      api_key: await this.apiKeys.find(key.id),
    };
  }

  /** `{<permission key>: true}` for every key held, plus `"*": true` for a super admin. */
  private capabilities(principal: Principal): Record<string, true> {
    const keys = principal.type === 'session' ? principal.grants.map((g) => g.permission_key) : principal.apiKey.permission_keys;
    const capabilities: Record<string, true> = Object.fromEntries(keys.map((k) => [k, true as const]));
    if (isSuperAdmin(principal)) capabilities['*'] = true;
    return capabilities;
  }

  private async space(id: string | null) {
    if (!id) return null;
    const [row] = await this.dataSource.query(`SELECT id, name, slug, type, status FROM spaces WHERE id = $1`, [id]);
    return row ?? null;
  }

  private async member(id: string | null) {
    if (!id) return null;
    const [row] = await this.dataSource.query(`SELECT id, space_id, display_name, member_type, status FROM members WHERE id = $1`, [id]);
    return row ?? null;
  }
}
