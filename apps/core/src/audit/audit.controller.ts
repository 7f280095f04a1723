import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiEndpoint } from '@plystra/http';
import { type ScopeRequest, RequirePermission } from '../access/access.decorators';
import { AuditService } from './audit.service';
import { AuditLogQueryDto } from './dto/audit-log-query.dto';

export const AUDIT_READ = 'audit:read';

const querySpace = (req: ScopeRequest) => (typeof req.query.space_id === 'string' ? req.query.space_id : undefined);

@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @ApiEndpoint('List audit log entries', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get('audit/logs')
  @RequirePermission(AUDIT_READ, (req, scopes) => scopes.space(querySpace(req)))
  list(@Query() query: AuditLogQueryDto) {
    return this.audit.list(query);
  }

  @ApiEndpoint('Get an audit log entry', 'AUDIT_LOG_NOT_FOUND')
  @Get('audit/logs/:id')
  @RequirePermission(AUDIT_READ, (req, scopes) => scopes.auditLog(req.params.id))
  get(@Param('id') id: string) {
    return this.audit.get(id);
  }

  @ApiEndpoint('List the audit log entries of a space', 'VALIDATION_FAILED', 'SPACE_NOT_FOUND')
  @Get('spaces/:space_id/audit-logs')
  @RequirePermission(AUDIT_READ, (req, scopes) => scopes.space(req.params.space_id))
  listInSpace(@Param('space_id') spaceId: string, @Query() query: AuditLogQueryDto) {
    return this.audit.listInSpace(spaceId, query);
  }

  @ApiEndpoint('Get an audit log entry of a space', 'SPACE_NOT_FOUND', 'AUDIT_LOG_NOT_FOUND')
  @Get('spaces/:space_id/audit-logs/:id')
  @RequirePermission(AUDIT_READ, (req, scopes) => scopes.space(req.params.space_id))
  getInSpace(@Param('space_id') spaceId: string, @Param('id') id: string) {
    return this.audit.getInSpace(spaceId, id);
  }
}
