import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessPolicy } from '../access/access-policy.service';
import { principalOf } from '../access/access.guard';
import { GROUPS } from '../identity/groups/groups.repository';
import { ManagementWriter } from '../identity/management/management-writer';
import { findWhere, listPage, mustFind, mustFindReference, pickColumns } from '../identity/management/table-store';
import { MEMBERS } from '../identity/members/members.repository';
import { mustFindSpace } from '../identity/spaces/spaces.repository';
import { RESOURCE_TYPES } from '../registry/registry.repository';
import type { ResourceCreateDto, ResourceListQueryDto, ResourcePatchDto, ResourceSpaceListQueryDto } from './dto/resource.dto';
import { RESOURCES, RESOURCE_SPEC } from './resources.repository';

/**
 * The mirror of governed resources that checks read. A resource's type is registered, its group
 * and owner are in its space, and moving it to another group needs `resources:manage` there too.
 */
@Injectable()
export class ResourcesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
    private readonly policy: AccessPolicy,
  ) {}

  list(query: ResourceListQueryDto) {
    return listPage(
      this.dataSource,
      RESOURCES,
      [['rs.space_id', query.space_id], ['rs.resource_type', query.resource_type], ['rs.status', query.status], ['rs.group_id', query.group_id], ['rs.owner_member_id', query.owner_member_id]],
      query,
    );
  }

  async listInSpace(spaceId: string, query: ResourceSpaceListQueryDto) {
    await mustFindSpace(this.dataSource, spaceId);
    return this.list({ ...query, space_id: spaceId });
  }

  async getByType(type: string, id: string) {
    const row = await findWhere(this.dataSource, RESOURCES, 'rs.id = $1 AND rs.resource_type = $2', [id, type]);
    if (!row) throw ApiError.notFound('RESOURCE', id);
    return row;
  }

  get(spaceId: string, id: string) {
    return mustFind(this.dataSource, RESOURCES, 'RESOURCE', id, spaceId);
  }

  create(dto: ResourceCreateDto, ctx: RequestContext, routeSpaceId?: string) {
    if (routeSpaceId !== undefined && dto.space_id !== undefined && dto.space_id !== routeSpaceId) {
      throw ApiError.validation('space_id differs from the space of the route.', [{ field: 'space_id', message: `must be ${routeSpaceId} or left out` }]);
    }
    const spaceId = routeSpaceId ?? dto.space_id;
    if (spaceId === undefined) throw ApiError.validation('space_id is required.', [{ field: 'space_id', message: 'space_id is required' }]);
    const values = {
      id: dto.id ?? newId(dto.resource_type),
      resource_type: dto.resource_type,
      external_id: dto.external_id ?? null,
      space_id: spaceId,
      group_id: dto.group_id ?? null,
      owner_member_id: dto.owner_member_id ?? null,
      display_name: dto.display_name ?? null,
      visibility: dto.visibility ?? 'private',
      status: dto.status ?? 'active',
      metadata: dto.metadata ?? {},
    };
    return this.writer.create(ctx, RESOURCE_SPEC, values, {
      spaceId,
      check: async (m) => {
        if (!(await findWhere(m, RESOURCE_TYPES, 'rt.key = $1', [dto.resource_type]))) throw ApiError.notFound('RESOURCE_TYPE', dto.resource_type);
        await this.checkReferences(m, spaceId, dto);
      },
    });
  }

  patch(spaceId: string, id: string, dto: ResourcePatchDto, ctx: RequestContext) {
    const values = pickColumns(dto, ['external_id', 'group_id', 'owner_member_id', 'display_name', 'visibility', 'status', 'metadata']);
    return this.writer.update(ctx, RESOURCE_SPEC, { id, spaceId }, values, 'updated', {
      check: async (m, current) => {
        await this.checkReferences(m, spaceId, dto);
        if (dto.group_id !== undefined && dto.group_id !== current.group_id) {
          await this.policy.assert(principalOf(ctx.credential), { permission: 'resources:manage', spaceId, groupId: dto.group_id });
        }
      },
    });
  }

  archive(spaceId: string, id: string, reason: string | null | undefined, ctx: RequestContext) {
    return this.writer.update(ctx, RESOURCE_SPEC, { id, spaceId }, { status: 'archived' }, 'archived', { reason });
  }

  private async checkReferences(m: EntityManager, spaceId: string, dto: { group_id?: string | null; owner_member_id?: string | null }) {
    if (dto.group_id) await mustFindReference(m, GROUPS, 'GROUP', dto.group_id, spaceId, 'group_id');
    if (dto.owner_member_id) await mustFindReference(m, MEMBERS, 'MEMBER', dto.owner_member_id, spaceId, 'owner_member_id');
  }
}
