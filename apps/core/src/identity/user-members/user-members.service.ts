import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import type { RequestContext } from '@plystra/http';
import { DataSource, type EntityManager } from 'typeorm';
import { ManagementWriter } from '../management/management-writer';
import { NOW, listPage, mustFind, mustFindReference, pickColumns } from '../management/table-store';
import { MEMBERS } from '../members/members.repository';
import { mustFindSpace } from '../spaces/spaces.repository';
import { USERS } from '../users/users.repository';
import type { UserMemberCreateDto, UserMemberListQueryDto, UserMemberPatchDto } from './dto/user-member.dto';
import { USER_MEMBERS, USER_MEMBER_SPEC } from './user-members.repository';

/**
 * Bindings that let a login account act as a member. The member and the linking member are in
 * the binding's space; revoking keeps the row with its time and reason.
 */
@Injectable()
export class UserMembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
  ) {}

  async list(spaceId: string, query: UserMemberListQueryDto) {
    await mustFindSpace(this.dataSource, spaceId);
    return listPage(
      this.dataSource,
      USER_MEMBERS,
      [['um.space_id', spaceId], ['um.user_id', query.user_id], ['um.member_id', query.member_id], ['um.status', query.status], ['um.relation_type', query.relation_type]],
      query,
    );
  }

  get(id: string, spaceId?: string) {
    return mustFind(this.dataSource, USER_MEMBERS, 'USER_MEMBER', id, spaceId);
  }

  create(spaceId: string, dto: UserMemberCreateDto, ctx: RequestContext) {
    const status = dto.status ?? 'active';
    const values = {
      id: dto.id ?? newId('um'),
      user_id: dto.user_id,
      member_id: dto.member_id,
      space_id: spaceId,
      relation_type: dto.relation_type,
      status,
      is_primary: dto.is_primary ?? false,
      expires_at: dto.expires_at ?? null,
      linked_by_member_id: dto.linked_by_member_id ?? null,
      linked_at: dto.linked_at ?? NOW,
      revoked_at: status === 'revoked' ? NOW : null,
      revoked_reason: dto.revoked_reason ?? null,
      metadata: dto.metadata ?? {},
    };
    return this.writer.create(ctx, USER_MEMBER_SPEC, values, {
      spaceId,
      check: async (m) => {
        await mustFind(m, USERS, 'USER', dto.user_id);
        await mustFindReference(m, MEMBERS, 'MEMBER', dto.member_id, spaceId, 'member_id');
        await this.checkLinkedBy(m, spaceId, dto.linked_by_member_id);
      },
    });
  }

  patch(spaceId: string, id: string, dto: UserMemberPatchDto, ctx: RequestContext) {
    const values = pickColumns(dto, ['relation_type', 'status', 'is_primary', 'expires_at', 'linked_by_member_id', 'revoked_reason', 'metadata']);
    return this.writer.update(ctx, USER_MEMBER_SPEC, { id, spaceId }, values, 'updated', {
      check: async (m, current) => {
        await this.checkLinkedBy(m, spaceId, dto.linked_by_member_id);
        if (dto.status === 'revoked' && current.status !== 'revoked') return { revoked_at: NOW };
        if (dto.status === 'active') return { revoked_at: null, revoked_reason: null };
      },
    });
  }

  revoke(spaceId: string, id: string, reason: string | null | undefined, ctx: RequestContext) {
    return this.writer.update(ctx, USER_MEMBER_SPEC, { id, spaceId }, { status: 'revoked', revoked_at: NOW, revoked_reason: reason ?? null }, 'revoked', { reason });
  }

  private async checkLinkedBy(m: EntityManager, spaceId: string, memberId: string | null | undefined): Promise<void> {
    if (memberId) await mustFindReference(m, MEMBERS, 'MEMBER', memberId, spaceId, 'linked_by_member_id');
  }
}
