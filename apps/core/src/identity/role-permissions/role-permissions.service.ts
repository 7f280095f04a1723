import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import { ApiError, type RequestContext } from '@plystra/http';
import { DataSource } from 'typeorm';
import { ManagementWriter, lockWritableSpace } from '../management/management-writer';
import { listPage, mustFind } from '../management/table-store';
import { PERMISSIONS } from '../permissions/permissions.repository';
import { ROLES } from '../roles/roles.repository';
import type { RolePermissionCreateDto, RolePermissionListQueryDto } from './dto/role-permission.dto';
import {
  ROLE_PERMISSIONS, ROLE_PERMISSION_SPEC, type RolePermissionRow, addOrReviveRolePermission, revokeRolePermission,
} from './role-permissions.repository';

/** Which permissions a role carries. Revoking soft-deletes the pair; adding it again revives it. */
@Injectable()
export class RolePermissionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
  ) {}

  list(query: RolePermissionListQueryDto) {
    return listPage(
      this.dataSource,
      ROLE_PERMISSIONS,
      [['rp.role_id', query.role_id], ['rp.permission_id', query.permission_id], ['r.space_id', query.space_id]],
      query,
    );
  }

  get(id: string) {
    return mustFind(this.dataSource, ROLE_PERMISSIONS, 'ROLE_PERMISSION', id);
  }

  create(dto: RolePermissionCreateDto, ctx: RequestContext) {
    return this.writer.transact(ctx, async (m) => {
      const role = await mustFind<{ space_id: string }>(m, ROLES, 'ROLE', dto.role_id);
      await lockWritableSpace(m, role.space_id);
      await mustFind(m, PERMISSIONS, 'PERMISSION', dto.permission_id);
      const outcome = await addOrReviveRolePermission(m, {
        id: dto.id ?? newId('rp'),
        role_id: dto.role_id,
        permission_id: dto.permission_id,
        metadata: dto.metadata ?? {},
      });
      if (!outcome) throw ApiError.conflict('ROLE_PERMISSION_CONFLICT', 'This role already has this permission.');
      const row = await this.writer.reload(m, ROLE_PERMISSION_SPEC, outcome.id);
      return { result: row, audit: this.writer.note(ROLE_PERMISSION_SPEC, outcome.inserted ? 'created' : 'restored', row) };
    });
  }

  revoke(id: string, ctx: RequestContext) {
    return this.writer.transact(ctx, async (m) => {
      const current = await mustFind<RolePermissionRow>(m, ROLE_PERMISSIONS, 'ROLE_PERMISSION', id);
      await lockWritableSpace(m, current.space_id);
      const deletedAt = await revokeRolePermission(m, id);
      if (!deletedAt) throw ApiError.notFound('ROLE_PERMISSION', id);
      const row = { ...current, deleted_at: deletedAt };
      return { result: row, audit: this.writer.note(ROLE_PERMISSION_SPEC, 'revoked', row) };
    });
  }
}
