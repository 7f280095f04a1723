import { Injectable } from '@nestjs/common';
import { insertAuditRows, newId, pgErrorInfo, PG_UNIQUE_VIOLATION } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../access/access-policy.service';
import { principalOf } from '../access/access.guard';
import type { Principal } from '../access/principal';
import { mutationAuditRow } from '../audit/mutation-audit';
import { AdminGrantsRepository, type AdminGrant } from './admin-grants.repository';
import { type CredentialScope, checkedMetadata, futureExpiry, resolveCredentialScope, scopeLevelOfGrant } from './credential-scope';
import type { AdminGrantCreateDto, AdminGrantQueryDto, RevokeDto } from './dto/admin-grant.dto';
import { assertDelegable, assertTarget, denied, isSuperAdmin, visibleScope } from './target-access';

type SessionPrincipal = Extract<Principal, { type: 'session' }>;

const MANAGE = 'admin_grants:manage';
const READ = 'admin_grants:read';

const scopeOf = (grant: Pick<AdminGrant, 'space_id' | 'group_id'>): CredentialScope => ({ spaceId: grant.space_id, groupId: grant.group_id });
const isInstanceLevel = (level: string) => level === 'instance_super_admin' || level === 'instance_admin';

/**
 * Admin grants (core.md §8, reference §5.3): only user sessions create or revoke them; instance
 * levels only by a super admin; the caller needs admin_grants:manage over the grant's scope and
 * must hold the permission it hands on; the last active super admin cannot be revoked.
 */
@Injectable()
export class AdminGrantsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: AdminGrantsRepository,
    private readonly policy: AccessPolicy,
  ) {}

  list(query: AdminGrantQueryDto, ctx: RequestContext) {
    return this.grants.list(query, visibleScope(principalOf(ctx.credential), READ));
  }

  async get(id: string, ctx: RequestContext): Promise<AdminGrant> {
    const grant = await this.found(id);
    await assertTarget(this.policy, principalOf(ctx.credential), READ, scopeOf(grant));
    return grant;
  }

  async create(dto: AdminGrantCreateDto, ctx: RequestContext): Promise<AdminGrant> {
    const principal = this.sessionOnly(ctx, 'create');
    const scope = await resolveCredentialScope(this.dataSource, scopeLevelOfGrant(dto.level), dto);
    const expiresAt = futureExpiry(dto.expires_at);
    const metadata = checkedMetadata(dto.metadata);
    await this.assertMayManage(principal, dto.level, dto.permission_key, scope);
    await this.assertHolder(dto.user_id, dto.member_id, scope);
    try {
      return await this.dataSource.transaction(async (m) => {
        const grant = await this.grants.insert(m, {
          id: dto.id ?? newId('ag'),
          user_id: dto.user_id,
          member_id: dto.member_id ?? null,
          space_id: scope.spaceId,
          group_id: scope.groupId,
          level: dto.level,
          permission_key: dto.permission_key,
          status: dto.status ?? 'active',
          granted_by_user_id: principal.session.user_id,
          granted_by_member_id: principal.session.active_member_id,
          expires_at: expiresAt,
          metadata,
        });
        await insertAuditRows(m, [this.auditRow('admin_grant.created', grant, principal, ctx)]);
        return grant;
      });
    } catch (error) {
      if (pgErrorInfo(error)?.code === PG_UNIQUE_VIOLATION) throw ApiError.conflict('ADMIN_GRANT_CONFLICT', `An admin grant with id ${JSON.stringify(dto.id)} already exists.`);
      throw error;
    }
  }

  async revoke(id: string, dto: RevokeDto, ctx: RequestContext): Promise<AdminGrant> {
    const principal = this.sessionOnly(ctx, 'revoke');
    const grant = await this.found(id);
    await this.assertMayManage(principal, grant.level, grant.permission_key, scopeOf(grant));
    return this.dataSource.transaction(async (m) => {
      if (grant.level === 'instance_super_admin') {
        const supers = await this.grants.lockActiveSuperAdmins(m);
        if (supers.some((s) => s.id === id) && !supers.some((s) => s.id !== id && s.usable)) {
          throw ApiError.of('LAST_SUPER_ADMIN', 'This is the last active instance super admin; grant another one before revoking it.');
        }
      }
      const revoked = await this.grants.revoke(m, id, dto.revoked_reason ?? null, principal.session.user_id);
      if (!revoked) throw ApiError.conflict('ADMIN_GRANT_CONFLICT', `Admin grant ${JSON.stringify(id)} is already revoked.`);
      await insertAuditRows(m, [this.auditRow('admin_grant.revoked', revoked, principal, ctx)]);
      return revoked;
    });
  }

  private async found(id: string): Promise<AdminGrant> {
    const grant = await this.grants.find(id);
    if (!grant) throw ApiError.notFound('ADMIN_GRANT', id);
    return grant;
  }

  private sessionOnly(ctx: RequestContext, verb: string): SessionPrincipal {
    const principal = principalOf(ctx.credential);
    if (principal.type !== 'session') throw denied(MANAGE, `Only a user session can ${verb} admin grants; API keys cannot.`);
    return principal;
  }

  /** Instance levels need a super admin; any grant needs admin_grants:manage there and the permission itself. */
  private async assertMayManage(principal: SessionPrincipal, level: string, permissionKey: string, scope: CredentialScope): Promise<void> {
    if (isInstanceLevel(level) && !isSuperAdmin(principal)) {
      throw denied(MANAGE, 'Only an instance super admin can grant or revoke instance-level admin grants.');
    }
    await assertTarget(this.policy, principal, MANAGE, scope);
    await assertDelegable(this.policy, principal, [permissionKey], scope);
  }

  /** The user must exist; a member, when named, must exist and (for a scoped grant) live in its space. */
  private async assertHolder(userId: string, memberId: string | undefined, scope: CredentialScope): Promise<void> {
    const [user] = await this.dataSource.query(`SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL`, [userId]);
    if (!user) throw ApiError.notFound('USER', userId);
    if (memberId === undefined) return;
    const [member] = await this.dataSource.query(`SELECT space_id FROM members WHERE id = $1 AND deleted_at IS NULL`, [memberId]);
    if (!member) throw ApiError.notFound('MEMBER', memberId);
    if (scope.spaceId && member.space_id !== scope.spaceId) {
      throw ApiError.validation('member_id must be a member of the grant\'s space.', [{ field: 'member_id', message: `must be in space ${scope.spaceId}` }]);
    }
  }

  private auditRow(action: string, grant: AdminGrant, principal: Principal, ctx: RequestContext) {
    return mutationAuditRow({ action, resourceType: 'admin_grant', resourceId: grant.id, spaceId: grant.space_id, details: { ...grant } }, principal, ctx);
  }
}
