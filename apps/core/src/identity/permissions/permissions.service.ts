import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import type { RequestContext } from '@plystra/http';
import { DataSource } from 'typeorm';
import { ManagementWriter } from '../management/management-writer';
import { listPage, mustFind, pickColumns } from '../management/table-store';
import type { PermissionCreateDto, PermissionListQueryDto, PermissionPatchDto } from './dto/permission.dto';
import { PERMISSIONS, PERMISSION_SPEC } from './permissions.repository';

/** `global` is reserved in v1: such a permission is always stored disabled, whatever was asked. */
const storedStatus = (scope: string, status: string) => (scope === 'global' ? 'disabled' : status);

/** The global permission catalogue, unique on (resource, action, scope). */
@Injectable()
export class PermissionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
  ) {}

  list(query: PermissionListQueryDto) {
    return listPage(
      this.dataSource,
      PERMISSIONS,
      [['p.resource', query.resource], ['p.action', query.action], ['p.scope', query.scope], ['p.status', query.status]],
      query,
    );
  }

  get(id: string) {
    return mustFind(this.dataSource, PERMISSIONS, 'PERMISSION', id);
  }

  create(dto: PermissionCreateDto, ctx: RequestContext) {
    return this.writer.create(ctx, PERMISSION_SPEC, {
      id: dto.id ?? newId('perm'),
      resource: dto.resource,
      action: dto.action,
      scope: dto.scope,
      description: dto.description ?? null,
      status: storedStatus(dto.scope, dto.status ?? 'active'),
      metadata: dto.metadata ?? {},
    });
  }

  patch(id: string, dto: PermissionPatchDto, ctx: RequestContext) {
    return this.writer.update(ctx, PERMISSION_SPEC, { id }, pickColumns(dto, ['description', 'status', 'metadata']), 'updated', {
      check: async (_m, current) => (dto.status ? { status: storedStatus(current.scope as string, dto.status) } : undefined),
    });
  }

  disable(id: string, reason: string | null | undefined, ctx: RequestContext) {
    return this.writer.update(ctx, PERMISSION_SPEC, { id }, { status: 'disabled' }, 'disabled', { reason });
  }
}
