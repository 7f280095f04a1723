import { Injectable } from '@nestjs/common';
import { insertAuditRows, isSecretLookingKey } from '@plystra/db';
import { ApiError, type EntityName, type RequestContext } from '@plystra/http';
import { DataSource, type EntityManager } from 'typeorm';
import { principalOf } from '../../access/access.guard';
import { mutationAuditRow } from '../../audit/mutation-audit';
import { managementPgError } from './pg-conflicts';
import { type TableDef, findById, insertRow, updateRow } from './table-store';

type Row = { id: string } & Record<string, unknown>;

/** How the writer reads an entity back and names it in the audit log. */
export interface EntitySpec<T extends Row = Row> {
  def: TableDef;
  entity: EntityName;
  /** Audit resource type and action prefix: `group` gives `group.created`. */
  kind: string;
  /** The audit resource_type when it is not `kind` (a resource's own type key). */
  auditType?: (row: T) => string;
  /** The space a row's audit record belongs to (default: its `space_id`). */
  spaceOf?: (row: T) => string | null;
}

export interface AuditNote {
  action: string;
  resourceType: string;
  resourceId: string;
  spaceId: string | null;
  details: Record<string, unknown>;
}

/**
 * A row as it may go into an audit trace: every key that looks secret is left out, at any depth
 * (`password_changed_at`, or metadata written before the governed-JSON rule), so the audit writer
 * never has a reason to refuse the record.
 */
function auditSnapshot(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(auditSnapshot);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !isSecretLookingKey(key)).map(([key, child]) => [key, auditSnapshot(child)]));
}

/**
 * Refuses a write into a space that does not exist or is disabled (409 SPACE_DISABLED). The row
 * lock (FOR SHARE) holds until commit, so a concurrent disable waits for this write or this
 * write sees the disable; nothing slips in between.
 */
export async function lockWritableSpace(m: EntityManager, spaceId: string): Promise<void> {
  const [space] = await m.query(`SELECT status FROM spaces WHERE id = $1 AND deleted_at IS NULL FOR SHARE`, [spaceId]);
  if (!space) throw ApiError.notFound('SPACE', spaceId);
  if (space.status !== 'active') {
    throw new ApiError(409, 'SPACE_DISABLED', `Space ${JSON.stringify(spaceId)} is disabled; restore it before writing into it.`, { space_id: spaceId });
  }
}

/**
 * Every management mutation goes through here: one transaction holding the change and its audit
 * row, constraint violations answered with entity codes, and the generic create / column update /
 * status move that most entities need.
 */
@Injectable()
export class ManagementWriter {
  constructor(private readonly dataSource: DataSource) {}

  async transact<T>(ctx: RequestContext, work: (m: EntityManager) => Promise<{ result: T; audit: AuditNote }>): Promise<T> {
    try {
      return await this.dataSource.transaction(async (m) => {
        const { result, audit } = await work(m);
        await insertAuditRows(m, [mutationAuditRow({ ...audit, details: auditSnapshot(audit.details) as Record<string, unknown> }, principalOf(ctx.credential), ctx)]);
        return result;
      });
    } catch (error) {
      throw managementPgError(error) ?? error;
    }
  }

  /** The audit note of `<kind>.<verb>` on a row. */
  note<T extends Row>(spec: EntitySpec<T>, verb: string, row: T, extra: Record<string, unknown> = {}): AuditNote {
    return {
      action: `${spec.kind}.${verb}`,
      resourceType: spec.auditType?.(row) ?? spec.kind,
      resourceId: row.id,
      spaceId: spec.spaceOf ? spec.spaceOf(row) : ((row.space_id as string | undefined) ?? null),
      details: { ...row, ...extra },
    };
  }

  async reload<T extends Row>(m: EntityManager, spec: EntitySpec<T>, id: string): Promise<T> {
    const row = await findById<T>(m, spec.def, id);
    if (!row) throw ApiError.notFound(spec.entity, id);
    return row;
  }

  /** Inserts a row (into a writable space when `spaceId` is given) and records `<kind>.created`. */
  create<T extends Row>(
    ctx: RequestContext,
    spec: EntitySpec<T>,
    values: Record<string, unknown> & { id: string },
    options: { spaceId?: string; check?: (m: EntityManager) => Promise<void> } = {},
  ): Promise<T> {
    return this.transact(ctx, async (m) => {
      if (options.spaceId !== undefined) await lockWritableSpace(m, options.spaceId);
      await options.check?.(m);
      await insertRow(m, spec.def.table, values);
      const row = await this.reload(m, spec, values.id);
      return { result: row, audit: this.note(spec, 'created', row) };
    });
  }

  /**
   * Changes columns of one row and records `<kind>.<verb>`. The row must exist (in `spaceId`
   * when given, else 404); its space, route-given or its own, must be writable. `check` sees the
   * current row and may add columns (derived values) or refuse; `reason` goes into the audit row.
   */
  update<T extends Row>(
    ctx: RequestContext,
    spec: EntitySpec<T>,
    target: { id: string; spaceId?: string },
    values: Record<string, unknown>,
    verb: string,
    options: { check?: (m: EntityManager, current: T) => Promise<Record<string, unknown> | void>; reason?: string | null } = {},
  ): Promise<T> {
    return this.transact(ctx, async (m) => {
      if (target.spaceId !== undefined) await lockWritableSpace(m, target.spaceId);
      const current = await findById<T>(m, spec.def, target.id, target.spaceId);
      if (!current) throw ApiError.notFound(spec.entity, target.id);
      if (target.spaceId === undefined && typeof current.space_id === 'string') await lockWritableSpace(m, current.space_id);
      const changes = { ...values, ...((await options.check?.(m, current)) ?? {}) };
      if (Object.keys(changes).length === 0) throw ApiError.validation('Nothing to change: send at least one field.');
      if (!(await updateRow(m, spec.def, target.id, changes))) throw ApiError.notFound(spec.entity, target.id);
      const row = await this.reload(m, spec, target.id);
      const extra = { changed_fields: Object.keys(changes), ...(options.reason ? { reason: options.reason } : {}) };
      return { result: row, audit: this.note(spec, verb, row, extra) };
    });
  }
}
