import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import type { RequestContext } from '@plystra/http';
import { DataSource } from 'typeorm';
import { ManagementWriter } from '../management/management-writer';
import { listPage, pickColumns } from '../management/table-store';
import type { SpaceCreateDto, SpaceListQueryDto, SpacePatchDto } from './dto/space.dto';
import { SPACES, SPACE_SPEC, mustFindSpace } from './spaces.repository';

/** Spaces, the tenant boundary. Editing, disabling and restoring a space is allowed while it is disabled. */
@Injectable()
export class SpacesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
  ) {}

  list(query: SpaceListQueryDto) {
    return listPage(this.dataSource, SPACES, [['s.status', query.status], ['s.type', query.type]], query);
  }

  get(id: string) {
    return mustFindSpace(this.dataSource, id);
  }

  create(dto: SpaceCreateDto, ctx: RequestContext) {
    return this.writer.create(ctx, SPACE_SPEC, {
      id: dto.id ?? newId('space'),
      name: dto.name.trim(),
      slug: dto.slug ?? null,
      type: dto.type ?? 'custom',
      status: dto.status ?? 'active',
      metadata: dto.metadata ?? {},
    });
  }

  patch(id: string, dto: SpacePatchDto, ctx: RequestContext) {
    const values = pickColumns(dto, ['slug', 'type', 'status', 'metadata']);
    if (dto.name !== undefined) values.name = dto.name.trim();
    return this.writer.update(ctx, SPACE_SPEC, { id }, values, 'updated');
  }

  setStatus(id: string, status: 'active' | 'disabled', reason: string | null | undefined, ctx: RequestContext) {
    return this.writer.update(ctx, SPACE_SPEC, { id }, { status }, status === 'active' ? 'restored' : 'disabled', { reason });
  }
}
