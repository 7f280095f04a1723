import { Injectable } from '@nestjs/common';
import { ApiError } from '@plystra/http';
import { AuditLogRepository } from './audit-log.repository';
import type { AuditLogQueryDto } from './dto/audit-log-query.dto';

/** The audit query API (core.md §4.4): read-only, no update or delete exists anywhere. */
@Injectable()
export class AuditService {
  constructor(private readonly logs: AuditLogRepository) {}

  list(query: AuditLogQueryDto) {
    return this.logs.list(query);
  }

  async get(id: string) {
    const row = await this.logs.get(id);
    if (!row) throw ApiError.notFound('AUDIT_LOG', id);
    return row;
  }

  async listInSpace(spaceId: string, query: AuditLogQueryDto) {
    if (query.space_id !== undefined && query.space_id !== spaceId) {
      throw ApiError.validation('space_id differs from the space in the path.', [{ field: 'space_id', message: 'must equal the path space_id' }]);
    }
    if (!(await this.logs.spaceExists(spaceId))) throw ApiError.notFound('SPACE', spaceId);
    return this.logs.list({ ...query, space_id: spaceId });
  }

  async getInSpace(spaceId: string, id: string) {
    const row = await this.logs.get(id);
    if (!row || row.space_id !== spaceId) throw ApiError.notFound('AUDIT_LOG', id);
    return row;
  }
}
