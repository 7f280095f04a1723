import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { DataSource, type EntityManager } from 'typeorm';
import { titleCase } from '../management/dto-rules';
import { ManagementWriter } from '../management/management-writer';
import { listPage, mustFind, mustFindReference, pickColumns } from '../management/table-store';
import { mustFindSpace } from '../spaces/spaces.repository';
import type { GroupCreateDto, GroupListQueryDto, GroupPatchDto } from './dto/group.dto';
import { GROUPS, GROUP_SPEC, type GroupRow, groupTreePage } from './groups.repository';

/**
 * The group tree of a space. A path is immutable; a child's parent is in the same space and the
 * child's path extends the parent's with a dot (`finance` → `finance.apac`, never `financex`).
 */
@Injectable()
export class GroupsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
  ) {}

  async list(spaceId: string, query: GroupListQueryDto) {
    await mustFindSpace(this.dataSource, spaceId);
    return listPage(this.dataSource, GROUPS, [['g.space_id', spaceId], ['g.status', query.status], ['g.parent_group_id', query.parent_group_id]], query);
  }

  async tree(spaceId: string, query: { limit?: number; cursor?: string }) {
    await mustFindSpace(this.dataSource, spaceId);
    return groupTreePage(this.dataSource, spaceId, query);
  }

  get(id: string, spaceId?: string) {
    return mustFind(this.dataSource, GROUPS, 'GROUP', id, spaceId);
  }

  create(spaceId: string, dto: GroupCreateDto, ctx: RequestContext) {
    if (dto.parent_group_id && dto.parent_id && dto.parent_group_id !== dto.parent_id) {
      throw ApiError.validation('parent_id and parent_group_id name different groups.', [{ field: 'parent_id', message: 'must equal parent_group_id' }]);
    }
    const parentId = dto.parent_group_id ?? dto.parent_id ?? null;
    const segment = dto.path.split('.').at(-1)!;
    return this.writer.create(
      ctx,
      GROUP_SPEC,
      {
        id: dto.id ?? newId('group'),
        space_id: spaceId,
        parent_group_id: parentId,
        name: (dto.name ?? dto.display_name ?? titleCase(segment)).trim() || segment,
        display_name: dto.display_name ?? null,
        path: dto.path,
        sort_order: dto.sort_order ?? 1000,
        status: dto.status ?? 'active',
        metadata: dto.metadata ?? {},
      },
      { spaceId, check: (m) => this.checkParent(m, spaceId, parentId, dto.path) },
    );
  }

  patch(spaceId: string, id: string, dto: GroupPatchDto, ctx: RequestContext) {
    for (const field of ['path', 'parent_group_id', 'parent_id'] as const) {
      if (dto[field] !== undefined) throw ApiError.validation(`A group's ${field} is immutable after create.`, [{ field, message: `${field} is immutable` }]);
    }
    const values = pickColumns(dto, ['display_name', 'sort_order', 'status', 'metadata']);
    if (dto.name !== undefined) values.name = dto.name.trim();
    return this.writer.update(ctx, GROUP_SPEC, { id, spaceId }, values, 'updated');
  }

  disable(spaceId: string, id: string, reason: string | null | undefined, ctx: RequestContext) {
    return this.writer.update(ctx, GROUP_SPEC, { id, spaceId }, { status: 'disabled' }, 'disabled', { reason });
  }

  private async checkParent(m: EntityManager, spaceId: string, parentId: string | null, path: string): Promise<void> {
    if (!parentId) return;
    const parent = await mustFindReference<GroupRow>(m, GROUPS, 'GROUP', parentId, spaceId, 'parent_group_id');
    if (!path.startsWith(`${parent.path}.`)) {
      throw ApiError.validation(`The path ${JSON.stringify(path)} must start with the parent path ${JSON.stringify(parent.path)} followed by a dot.`, [
        { field: 'path', message: `must start with "${parent.path}."` },
      ]);
    }
  }
}
