import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { DataSource } from 'typeorm';
import { titleCase } from '../management/dto-rules';
import { ManagementWriter } from '../management/management-writer';
import { listPage, mustFind, pickColumns } from '../management/table-store';
import { mustFindSpace } from '../spaces/spaces.repository';
import type { RoleCreateDto, RoleListQueryDto, RolePatchDto } from './dto/role.dto';
import { ROLES, ROLE_SPEC } from './roles.repository';

/** Roles of a space; a role's key is unique in its space and never changes. */
@Injectable()
export class RolesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
  ) {}

  async list(spaceId: string, query: RoleListQueryDto) {
    await mustFindSpace(this.dataSource, spaceId);
    return listPage(this.dataSource, ROLES, [['r.space_id', spaceId], ['r.status', query.status], ['r.key', query.key]], query);
  }

  get(id: string, spaceId?: string) {
    return mustFind(this.dataSource, ROLES, 'ROLE', id, spaceId);
  }

  create(spaceId: string, dto: RoleCreateDto, ctx: RequestContext) {
    return this.writer.create(
      ctx,
      ROLE_SPEC,
      {
        id: dto.id ?? newId('role'),
        space_id: spaceId,
        key: dto.key,
        name: dto.name?.trim() ?? titleCase(dto.key),
        description: dto.description ?? null,
        status: dto.status ?? 'active',
        metadata: dto.metadata ?? {},
      },
      { spaceId },
    );
  }

  patch(spaceId: string, id: string, dto: RolePatchDto, ctx: RequestContext) {
    if (dto.key !== undefined) throw ApiError.validation("A role's key is immutable after create.", [{ field: 'key', message: 'key is immutable' }]);
    const values = pickColumns(dto, ['description', 'status', 'metadata']);
    if (dto.name !== undefined) values.name = dto.name.trim();
    return this.writer.update(ctx, ROLE_SPEC, { id, spaceId }, values, 'updated');
  }

  disable(spaceId: string, id: string, reason: string | null | undefined, ctx: RequestContext) {
    return this.writer.update(ctx, ROLE_SPEC, { id, spaceId }, { status: 'disabled' }, 'disabled', { reason });
  }
}
