import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import type { RequestContext } from '@plystra/http';
import { DataSource } from 'typeorm';
import { ManagementWriter } from '../management/management-writer';
import { listPage, mustFind, pickColumns } from '../management/table-store';
import { mustFindSpace } from '../spaces/spaces.repository';
import type { MemberCreateDto, MemberListQueryDto, MemberPatchDto } from './dto/member.dto';
import { MEMBERS, MEMBER_SPEC } from './members.repository';

/** Members: the actors inside a space. */
@Injectable()
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
  ) {}

  async list(spaceId: string, query: MemberListQueryDto) {
    await mustFindSpace(this.dataSource, spaceId);
    return listPage(this.dataSource, MEMBERS, [['mb.space_id', spaceId], ['mb.status', query.status], ['mb.member_type', query.member_type]], query);
  }

  get(id: string, spaceId?: string) {
    return mustFind(this.dataSource, MEMBERS, 'MEMBER', id, spaceId);
  }

  create(spaceId: string, dto: MemberCreateDto, ctx: RequestContext) {
    return this.writer.create(
      ctx,
      MEMBER_SPEC,
      {
        id: dto.id ?? newId('member'),
        space_id: spaceId,
        display_name: dto.display_name.trim(),
        member_type: dto.member_type ?? 'human',
        status: dto.status ?? 'active',
        metadata: dto.metadata ?? {},
      },
      { spaceId },
    );
  }

  patch(spaceId: string, id: string, dto: MemberPatchDto, ctx: RequestContext) {
    const values = pickColumns(dto, ['member_type', 'status', 'metadata']);
    if (dto.display_name !== undefined) values.display_name = dto.display_name.trim();
    return this.writer.update(ctx, MEMBER_SPEC, { id, spaceId }, values, 'updated');
  }

  disable(spaceId: string, id: string, reason: string | null | undefined, ctx: RequestContext) {
    return this.writer.update(ctx, MEMBER_SPEC, { id, spaceId }, { status: 'disabled' }, 'disabled', { reason });
  }
}
