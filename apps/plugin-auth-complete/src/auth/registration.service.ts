import { Inject, Injectable } from '@nestjs/common';
import { governedJsonProblems, insertAuditRows } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { DuplicateEmailError, PasswordHasher, authAuditRow, passwordPolicyProblem, provisionDefaultSpaceAccount, clientInfo, requestInfo } from '@plystra/session';
import { DataSource } from 'typeorm';
import { PLUGIN_CONFIG } from '../config/plugin-config.module';
import type { PluginConfig } from '../config/plugin-config';
import { AuthLimitsService } from '../limits/auth-limits.service';
import { SettingsStore } from '../settings/settings.store';
import type { RegisterDto } from './dto/auth.dto';
import { LiveSignIn } from './session.module';

/**
 * Public registration, only while `public_registration_enabled`: an active user (Argon2id hash in
 * Core's format), a member and a primary `self` binding in space_default, and a session — never an
 * admin grant. Disabled answers 403 before anything is written.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: SettingsStore,
    private readonly passwords: PasswordHasher,
    private readonly signIn: LiveSignIn,
    private readonly limits: AuthLimitsService,
    @Inject(PLUGIN_CONFIG) private readonly config: PluginConfig,
  ) {}

  async register(dto: RegisterDto, ctx: RequestContext) {
    if (!this.settings.current.publicRegistrationEnabled) throw ApiError.of('REGISTRATION_DISABLED', 'Public registration is disabled.');
    const problem = passwordPolicyProblem(dto.password, this.config.passwordPolicy);
    if (problem) throw ApiError.validation(problem, [{ field: 'password', message: problem }]);
    const metadataProblems = dto.metadata ? governedJsonProblems(dto.metadata) : [];
    if (metadataProblems.length) throw ApiError.validation(`metadata ${metadataProblems[0]}`, metadataProblems.map((message) => ({ field: 'metadata', message })));
    // A registration that signs in at once cannot hide that an address exists: it is limited per IP.
    await this.limits.consumeRegistration(ctx.ip);
    // Hash before the transaction: nothing slow happens while it holds a connection.
    const passwordHash = await this.passwords.hash(dto.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const account = await provisionDefaultSpaceAccount(manager, {
          email: dto.email, passwordHash, username: dto.username, memberDisplayName: dto.member_display_name, metadata: dto.metadata,
        });
        const actor = { user_id: account.userId, space_id: account.spaceId!, member_id: account.memberId!, user_member_id: account.userMemberId! };
        await insertAuditRows(manager, [
          authAuditRow({ action: 'auth.register', userId: account.userId, actor, reason: 'public registration with a password', details: { registration_mode: 'public', method: 'password' }, request: requestInfo(ctx) }),
        ]);
        const { bundle } = await this.signIn.current().issue({ id: account.userId, email: account.email, status: 'active' }, clientInfo(ctx), manager);
        return bundle;
      });
    } catch (error) {
      if (error instanceof DuplicateEmailError) throw ApiError.conflict('USER_CREATE_FAILED', 'The account could not be created.');
      throw error;
    }
  }
}
