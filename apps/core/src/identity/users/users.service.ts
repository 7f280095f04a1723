import { Inject, Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { PasswordHasher, SessionService, normaliseEmail, passwordPolicyProblem } from '@plystra/session';
import { DataSource } from 'typeorm';
import { CORE_CONFIG } from '../../config/core-config.module';
import type { CoreConfig } from '../../config/core-config';
import { ManagementWriter } from '../management/management-writer';
import { NOW, listPage, mustFind, pickColumns } from '../management/table-store';
import type { UserCreateDto, UserListQueryDto, UserPatchDto } from './dto/user.dto';
import { USERS, USER_SPEC } from './users.repository';

/**
 * Login accounts. A password is policy-checked and hashed before the transaction; changing it
 * revokes every session of the user in the same transaction as the change.
 */
@Injectable()
export class UsersService {
  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionService,
  ) {}

  list(query: UserListQueryDto) {
    return listPage(this.dataSource, USERS, [['u.status', query.status], ['lower(u.email)', query.email?.trim().toLowerCase()]], query);
  }

  get(id: string) {
    return mustFind(this.dataSource, USERS, 'USER', id);
  }

  async create(dto: UserCreateDto, ctx: RequestContext) {
    const password = dto.password === undefined ? {} : { password_hash: await this.hash(dto.password), password_changed_at: NOW };
    return this.writer.create(ctx, USER_SPEC, {
      id: dto.id ?? newId('user'),
      email: normaliseEmail(dto.email),
      username: dto.username ?? null,
      phone: dto.phone ?? null,
      status: dto.status ?? 'active',
      metadata: dto.metadata ?? {},
      ...password,
    });
  }

  async patch(id: string, dto: UserPatchDto, ctx: RequestContext) {
    const values = pickColumns(dto, ['username', 'phone', 'status', 'metadata']);
    if (dto.email !== undefined) values.email = normaliseEmail(dto.email);
    if (dto.password === undefined) return this.writer.update(ctx, USER_SPEC, { id }, values, 'updated');
    Object.assign(values, { password_hash: await this.hash(dto.password), password_changed_at: NOW });
    return this.writer.update(ctx, USER_SPEC, { id }, values, 'updated', {
      check: async (m) => void (await this.sessions.revokeAllForUser(id, 'password_changed', m)),
    });
  }

  setStatus(id: string, status: 'active' | 'disabled', reason: string | null | undefined, ctx: RequestContext) {
    return this.writer.update(ctx, USER_SPEC, { id }, { status }, status === 'active' ? 'restored' : 'disabled', { reason });
  }

  private hash(password: string): Promise<string> {
    const problem = passwordPolicyProblem(password, this.config.passwordPolicy);
    if (problem) throw ApiError.validation(problem, [{ field: 'password', message: problem }]);
    return this.passwords.hash(password);
  }
}
