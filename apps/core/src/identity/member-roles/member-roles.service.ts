import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import type { RequestContext } from '@plystra/http';
import { DataSource } from 'typeorm';
import { GROUPS } from '../groups/groups.repository';
import { ManagementWriter } from '../management/management-writer';
import { listPage, mustFind, mustFindReference } from '../management/table-store';
import { MEMBERS } from '../members/members.repository';
import { ROLES } from '../roles/roles.repository';
import { mustFindSpace } from '../spaces/spaces.repository';
import type { MemberRoleCreateDto, MemberRoleListQueryDto } from './dto/member-role.dto';
import { MEMBER_ROLES, MEMBER_ROLE_SPEC } from './member-roles.repository';

/** Role grants. One grant per (member, role, anchor); revoking keeps the row. */
@Injectable()
export class MemberRolesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
  ) {}

  async list(spaceId: string, query: MemberRoleListQueryDto) {
    await mustFindSpace(this.dataSource, spaceId);
    return listPage(
      this.dataSource,
      MEMBER_ROLES,
      [['mr.space_id', spaceId], ['mr.member_id', query.member_id], ['mr.role_id', query.role_id], ['mr.status', query.status]],
      query,
    );
  }

  get(id: string, spaceId: string) {
    return mustFind(this.dataSource, MEMBER_ROLES, 'MEMBER_ROLE', id, spaceId);
  }

  create(spaceId: string, dto: MemberRoleCreateDto, ctx: RequestContext) {
    const values = {
      id: dto.id ?? newId('mr'),
      member_id: dto.member_id,
      role_id: dto.role_id,
      space_id: spaceId,
      scope_anchor_group_id: dto.scope_anchor_group_id ?? null,
      status: dto.status ?? 'active',
      metadata: dto.metadata ?? {},
    };
    return this.writer.create(ctx, MEMBER_ROLE_SPEC, values, {
      spaceId,
      check: async (m) => {
        await mustFindReference(m, MEMBERS, 'MEMBER', dto.member_id, spaceId, 'member_id');
        await mustFindReference(m, ROLES, 'ROLE', dto.role_id, spaceId, 'role_id');
        if (dto.scope_anchor_group_id) await mustFindReference(m, GROUPS, 'GROUP', dto.scope_anchor_group_id, spaceId, 'scope_anchor_group_id');
      },
    });
  }

  revoke(spaceId: string, id: string, reason: string | null | undefined, ctx: RequestContext) {
    return this.writer.update(ctx, MEMBER_ROLE_SPEC, { id, spaceId }, { status: 'revoked' }, 'revoked', { reason });
  }
}
