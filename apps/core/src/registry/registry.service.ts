import { Injectable } from '@nestjs/common';
import { newId } from '@plystra/db';
import { ApiError, type FieldProblem, type RequestContext } from '@plystra/http';
import { DataSource, type EntityManager } from 'typeorm';
import { ManagementWriter, type EntitySpec } from '../identity/management/management-writer';
import { type Db, findWhere, listPage, pickColumns } from '../identity/management/table-store';
import type { ResourceActionUpsertDto, ResourceMappingUpsertDto, ResourceTypeListQueryDto, ResourceTypeUpsertDto } from './dto/registry.dto';
import {
  RESOURCE_ACTIONS, RESOURCE_ACTION_SPEC, RESOURCE_COLUMNS, RESOURCE_MAPPINGS, RESOURCE_MAPPING_SPEC, RESOURCE_TYPES, RESOURCE_TYPE_SPEC, upsertByKey,
} from './registry.repository';

interface TypeRow {
  id: string;
  key: string;
  [column: string]: unknown;
}

const MAPPING_FIELDS = ['id_field', 'space_field', 'group_field', 'owner_member_field', 'visibility_field', 'metadata_field'] as const;

/** The registry of resource types, their actions and their storage mapping; every write is an upsert. */
@Injectable()
export class RegistryService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly writer: ManagementWriter,
  ) {}

  listTypes(query: ResourceTypeListQueryDto) {
    return listPage(this.dataSource, RESOURCE_TYPES, [['rt.status', query.status], ['rt.source', query.source]], query);
  }

  getType(key: string) {
    return this.typeByKey(this.dataSource, key);
  }

  upsertType(dto: ResourceTypeUpsertDto, ctx: RequestContext) {
    const insert = {
      id: dto.id ?? newId('rt'),
      key: dto.key,
      display_name: dto.display_name,
      description: dto.description ?? null,
      status: dto.status ?? 'active',
      source: dto.source ?? 'core',
      metadata: dto.metadata ?? {},
    };
    const update = pickColumns(dto, ['display_name', 'description', 'status', 'source', 'metadata']);
    return this.upsert(ctx, RESOURCE_TYPE_SPEC, (m) => upsertByKey(m, RESOURCE_TYPES, 'RESOURCE_TYPE', { key: dto.key }, insert, update, dto.id));
  }

  async listActions(key: string, query: { limit?: number; cursor?: string }) {
    const type = await this.typeByKey(this.dataSource, key);
    return listPage(this.dataSource, RESOURCE_ACTIONS, [['ra.resource_type_id', type.id]], query);
  }

  upsertAction(key: string, dto: ResourceActionUpsertDto, ctx: RequestContext) {
    return this.upsert(ctx, RESOURCE_ACTION_SPEC, async (m) => {
      const type = await this.typeByKey(m, key);
      const insert = {
        id: dto.id ?? newId('ra'),
        resource_type_id: type.id,
        key: dto.key,
        display_name: dto.display_name,
        description: dto.description ?? null,
        risk_level: dto.risk_level ?? 'normal',
        audit_default: dto.audit_default ?? true,
        metadata: dto.metadata ?? {},
      };
      const update = pickColumns(dto, ['display_name', 'description', 'risk_level', 'audit_default', 'metadata']);
      return upsertByKey(m, RESOURCE_ACTIONS, 'RESOURCE_ACTION', { resource_type_id: type.id, key: dto.key }, insert, update, dto.id);
    });
  }

  async getMapping(key: string) {
    const type = await this.typeByKey(this.dataSource, key);
    const mapping = await findWhere(this.dataSource, RESOURCE_MAPPINGS, 'rm.resource_type_id = $1', [type.id]);
    if (!mapping) throw ApiError.notFound('RESOURCE_MAPPING', key);
    return mapping;
  }

  upsertMapping(key: string, dto: ResourceMappingUpsertDto, ctx: RequestContext) {
    checkMapping(dto);
    return this.upsert(ctx, RESOURCE_MAPPING_SPEC, async (m) => {
      const type = await this.typeByKey(m, key);
      const insert = {
        id: dto.id ?? newId('rm'),
        resource_type_id: type.id,
        storage_kind: 'internal_table',
        table_name: dto.table_name === undefined ? 'resources' : dto.table_name,
        id_field: dto.id_field ?? 'id',
        space_field: dto.space_field ?? 'space_id',
        group_field: dto.group_field === undefined ? 'group_id' : dto.group_field,
        owner_member_field: dto.owner_member_field === undefined ? 'owner_member_id' : dto.owner_member_field,
        visibility_field: dto.visibility_field === undefined ? 'visibility' : dto.visibility_field,
        metadata_field: dto.metadata_field ?? null,
        status: dto.status ?? 'active',
        metadata: dto.metadata ?? {},
      };
      const update = pickColumns(dto, ['table_name', ...MAPPING_FIELDS, 'status', 'metadata']);
      return upsertByKey(m, RESOURCE_MAPPINGS, 'RESOURCE_MAPPING', { resource_type_id: type.id }, insert, update, dto.id);
    });
  }

  private upsert<T extends { id: string } & Record<string, unknown>>(
    ctx: RequestContext,
    spec: EntitySpec<T>,
    write: (m: EntityManager) => Promise<{ id: string; created: boolean }>,
  ): Promise<T> {
    return this.writer.transact(ctx, async (m) => {
      const { id, created } = await write(m);
      const row = await this.writer.reload(m, spec, id);
      return { result: row, audit: this.writer.note(spec, created ? 'created' : 'updated', row) };
    });
  }

  private async typeByKey(db: Db, key: string): Promise<TypeRow> {
    const type = await findWhere<TypeRow>(db, RESOURCE_TYPES, 'rt.key = $1', [key]);
    if (!type) throw ApiError.notFound('RESOURCE_TYPE', key);
    return type;
  }
}

/** v1 maps resources only onto Core's own `resources` table and its columns. */
function checkMapping(dto: ResourceMappingUpsertDto): void {
  const problems: FieldProblem[] = [];
  if (dto.storage_kind !== undefined && dto.storage_kind !== 'internal_table') {
    problems.push({ field: 'storage_kind', message: 'only internal_table is supported' });
  }
  if (dto.table_name != null && dto.table_name !== 'resources') problems.push({ field: 'table_name', message: 'only the resources table is supported' });
  for (const field of MAPPING_FIELDS) {
    const column = dto[field];
    if (column != null && !RESOURCE_COLUMNS.includes(column)) problems.push({ field, message: `must be a column of resources (${RESOURCE_COLUMNS.join(', ')})` });
  }
  if (problems.length > 0) {
    throw new ApiError(400, 'UNSUPPORTED_RESOURCE_MAPPING', `Unsupported resource mapping: ${problems.map((p) => p.field).join(', ')}.`, { fields: problems });
  }
}
