import { Inject, Injectable } from '@nestjs/common';
import { type AuditRow, AuditWriter } from '@plystra/db';
import { ApiError } from '@plystra/http';
import { CORE_CONFIG, LOGGER } from '../config/core-config.module';
import type { CoreConfig } from '../config/core-config';
import type { Logger } from '@plystra/http';
import { MetricsService } from '../console/metrics.service';
import type { Decision } from './engine/decision.types';

export function decisionAuditRow(decision: Decision): AuditRow {
  const a = decision.audit;
  return {
    id: a.audit_log_id,
    space_id: a.space_id,
    actor_user_id: a.actor_user_id,
    actor_member_id: a.actor_member_id,
    actor_user_member_id: a.actor_user_member_id,
    action: a.action,
    resource_type: a.resource_type,
    resource_id: a.resource_id,
    decision: a.decision,
    deny_code: a.deny_code,
    trace: decision,
    request_id: decision.request.request_id,
    ip_address: decision.request.ip,
    user_agent: decision.request.user_agent,
  };
}

/**
 * Records decisions before they are answered (core.md §4.4): one audit row per decision through
 * the group-committing writer, as AUDIT_WRITE_MODE says. When a row cannot be written the whole
 * answer is refused with 503, so no decision ever leaves without its record.
 */
@Injectable()
export class DecisionRecorder {
  constructor(
    private readonly writer: AuditWriter,
    private readonly metrics: MetricsService,
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private recorded(decision: Decision): boolean {
    if (this.config.auditWriteMode === 'disabled_for_dev') return false;
    return this.config.auditWriteMode === 'always' || decision.decision === 'deny';
  }

  async record(decisions: Decision[]): Promise<void> {
    const rows = decisions.filter((d) => this.recorded(d)).map(decisionAuditRow);
    const results = await Promise.allSettled(rows.map((row) => this.writer.write(row)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    this.metrics.auditWritten.inc({}, results.length - failed.length);
    if (failed.length) {
      this.metrics.auditFailures.inc({}, decisions.length);
      this.logger.error({ err: String(failed[0].reason), failed: failed.length }, 'authorization audit write failed');
      throw ApiError.of('AUDIT_UNAVAILABLE', 'The decision could not be recorded in the audit log, so it is not answered; try again shortly.');
    }
    for (const d of decisions) {
      this.metrics.checks.inc({ decision: d.decision });
      if (d.deny_code) this.metrics.denies.inc({ deny_code: d.deny_code });
    }
  }
}
