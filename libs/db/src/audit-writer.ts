import type { DataSource, EntityManager } from 'typeorm';
import { findSecretLookingKey } from './governed-json';
import { BatchedStatement, batchParameter } from './batched-statement';

export interface AuditRow {
  id: string;
  space_id: string | null;
  actor_user_id: string | null;
  actor_member_id: string | null;
  actor_user_member_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string;
  decision: 'allow' | 'deny';
  deny_code: string | null;
  trace: unknown;
  request_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
}

export class AuditTraceSecretError extends Error {
  constructor(path: string) {
    super(`audit trace contains a secret-looking key at ${path}`);
  }
}

const COLUMNS = [
  'id', 'space_id', 'actor_user_id', 'actor_member_id', 'actor_user_member_id', 'action', 'resource_type',
  'resource_id', 'decision', 'deny_code', 'trace', 'request_id', 'ip_address', 'user_agent',
] as const;

function assertNoSecrets(rows: AuditRow[]): void {
  for (const row of rows) {
    const secret = findSecretLookingKey(row.trace);
    if (secret) throw new AuditTraceSecretError(secret);
  }
}

/**
 * One multi-row INSERT: the rows travel as a single JSON parameter, so the statement text (and its
 * prepared plan) is the same for any batch size and nothing is escaped twice. Each row carries its
 * position `ord`, and the statement answers each `ord` (a data-modifying WITH always runs to
 * completion, so an answer means every row is stored), so concurrent writers can share it as a
 * BatchedStatement; its answer arrives only once the statement has committed.
 */
const INSERT_SQL = `WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(ord integer, id text, space_id text,
    actor_user_id text, actor_member_id text, actor_user_member_id text, action text, resource_type text, resource_id text,
    decision text, deny_code text, trace jsonb, request_id text, ip_address text, user_agent text)),
  stored AS (INSERT INTO audit_logs (${COLUMNS.join(', ')}) SELECT ${COLUMNS.join(', ')} FROM r)
SELECT ord FROM r`;

/** A row as the INSERT takes it: a missing trace is stored as `{}` (the column is NOT NULL). */
const insertable = (row: AuditRow): object => (row.trace == null ? { ...row, trace: {} } : row);

/** Inserts audit rows inside the caller's transaction (management mutations use this). */
export async function insertAuditRows(manager: EntityManager | DataSource, rows: AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  assertNoSecrets(rows);
  await manager.query(INSERT_SQL, [batchParameter(rows.map(insertable))]);
}

/**
 * Writes audit rows for concurrent requests with group commit: the rows written together share
 * one INSERT (a BatchedStatement: at the end of the event-loop turn, or behind the INSERT on the
 * wire), and each caller's promise settles only when the statement holding its own row has
 * committed (or failed), so an answer never leaves before its record is durable. A row the
 * database refuses as data fails alone.
 */
export class AuditWriter {
  private readonly insert: BatchedStatement<object>;

  constructor(dataSource: DataSource) {
    this.insert = new BatchedStatement(dataSource, 'plystra_audit_insert', INSERT_SQL, { maxBatch: 256 });
  }

  async write(row: AuditRow): Promise<void> {
    // Validate before queueing, so one bad trace never travels with other rows.
    const secret = findSecretLookingKey(row.trace);
    if (secret) throw new AuditTraceSecretError(secret);
    await this.insert.row(insertable(row));
  }
}
