import { Inject, Injectable } from '@nestjs/common';
import { governedJsonProblems, insertAuditRows, newId } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import {
  DuplicateEmailError, PasswordHasher, SignInService, authAuditRow, constantTimeEqual, insertUser, passwordPolicyProblem, provisionDefaultSpaceAccount,
} from '@plystra/session';
import { DataSource, type EntityManager } from 'typeorm';
import { SUPER_ADMIN_BOOTSTRAP_LOCK_KEY as REGISTRATION_LOCK_KEY } from '../admin/bootstrap-super-admin';
import { CORE_CONFIG } from '../config/core-config.module';
import type { CoreConfig } from '../config/core-config';
import type { RegisterDto } from './dto/auth.dto';


type Mode = 'bootstrap' | 'public_user_only' | 'ordinary';

/**
 * Protected registration: disabled by default; bootstrap creates the first instance super admin;
 * public-user-only creates a bare user; ordinary registration (after bootstrap, with the token)
 * creates a user bound in `space_default` with no admin grant.
 */
@Injectable()
export class RegistrationService {
  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly dataSource: DataSource,
    private readonly passwords: PasswordHasher,
    private readonly signIn: SignInService,
  ) {}

  async register(dto: RegisterDto, ctx: RequestContext) {
    const r = this.config.registration;
    if (!r.bootstrapEnabled && !r.publicUserOnlyEnabled && !r.ordinaryEnabled) {
      throw ApiError.of('REGISTRATION_DISABLED', 'Registration is disabled.');
    }
    const problem = passwordPolicyProblem(dto.password, this.config.passwordPolicy);
    if (problem) throw ApiError.validation(problem, [{ field: 'password', message: problem }]);
    const metadataProblems = dto.metadata ? governedJsonProblems(dto.metadata) : [];
    if (metadataProblems.length) throw ApiError.validation(`metadata ${metadataProblems[0]}`, metadataProblems.map((m) => ({ field: 'metadata', message: m })));
    // Hash before taking the lock: nothing slow happens inside the transaction.
    const passwordHash = await this.passwords.hash(dto.password);
    const client = { ip: ctx.ip, userAgent: ctx.userAgent };
    const request = { requestId: ctx.requestId, ip: ctx.ip, userAgent: ctx.userAgent };

    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT pg_advisory_xact_lock(${REGISTRATION_LOCK_KEY})`);
        const mode = await this.decideMode(manager, dto.registration_token);
        const account = { email: dto.email, passwordHash, username: dto.username, phone: dto.phone, memberDisplayName: dto.member_display_name, metadata: dto.metadata, defaultSpaceName: dto.space_name };
        if (mode === 'public_user_only') {
          const userId = await insertUser(manager, account);
          await insertAuditRows(manager, [authAuditRow({ action: 'auth.register', userId, reason: 'user-only registration', details: { registration_mode: mode }, request })]);
          return {
            user: { id: userId, email: dto.email.trim().toLowerCase(), status: 'active' },
            actor: null,
            available_members: [],
            bootstrap_super_admin: false,
            registration_mode: mode,
            user_only: true,
            registration_requires_approval: false,
          };
        }
        const provisioned = await provisionDefaultSpaceAccount(manager, account);
        const actor = { space_id: provisioned.spaceId!, member_id: provisioned.memberId!, user_member_id: provisioned.userMemberId! };
        const rows = [authAuditRow({ action: 'auth.register', userId: provisioned.userId, actor, reason: `${mode} registration`, details: { registration_mode: mode }, request })];
        let grantId: string | null = null;
        if (mode === 'bootstrap') {
          grantId = newId('ag');
          await manager.query(
            `INSERT INTO admin_grants (id, user_id, member_id, level, permission_key, status, granted_by_user_id, metadata)
             VALUES ($1, $2, $3, 'instance_super_admin', '*', 'active', $2, '{"source":"auth.register.bootstrap"}')`,
            [grantId, provisioned.userId, provisioned.memberId],
          );
          rows.push(authAuditRow({ action: 'admin_grant.created', userId: provisioned.userId, actor, resourceType: 'admin_grant', resourceId: grantId, reason: 'first instance super admin bootstrapped by registration', details: { level: 'instance_super_admin', permission_key: '*' }, request }));
        }
        await insertAuditRows(manager, rows);
        const { bundle } = await this.signIn.issue({ id: provisioned.userId, email: provisioned.email, status: 'active' }, client, manager);
        return {
          ...bundle,
          bootstrap_super_admin: mode === 'bootstrap',
          bootstrap_admin_grant_id: grantId,
          registration_mode: mode,
          user_only: false,
          registration_requires_approval: false,
        };
      });
    } catch (error) {
      if (error instanceof DuplicateEmailError) throw ApiError.conflict('USER_CONFLICT', 'An account with this email already exists.');
      throw error;
    }
  }

  private async decideMode(manager: EntityManager, token: string | undefined): Promise<Mode> {
    const r = this.config.registration;
    const [{ exists }] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM admin_grants g JOIN users u ON u.id = g.user_id
                       WHERE g.level = 'instance_super_admin' AND g.status = 'active' AND g.revoked_at IS NULL AND g.deleted_at IS NULL
                         AND (g.expires_at IS NULL OR g.expires_at > now()) AND u.status = 'active' AND u.deleted_at IS NULL) AS exists`,
    );
    const bootstrapAvailable = !exists;
    const matches = (expected: string | undefined) => !!token && !!expected && constantTimeEqual(token, expected);
    if (bootstrapAvailable && r.bootstrapEnabled && matches(r.bootstrapToken)) return 'bootstrap';
    if (r.publicUserOnlyEnabled) return 'public_user_only';
    if (bootstrapAvailable) {
      if (r.ordinaryEnabled) throw ApiError.of('REGISTRATION_DISABLED', 'The first instance super admin must be bootstrapped before user registration.');
      throw ApiError.of('REGISTRATION_DISABLED', token ? 'The registration token is invalid.' : 'A bootstrap registration token is required.');
    }
    if (r.ordinaryEnabled) {
      if (matches(r.ordinaryToken)) return 'ordinary';
      throw ApiError.of('REGISTRATION_DISABLED', token ? 'The registration token is invalid.' : 'A registration token is required.');
    }
    throw ApiError.of('REGISTRATION_DISABLED', 'Registration is disabled.');
  }
}
