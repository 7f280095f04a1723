import type { DataSource, EntityManager } from 'typeorm';
import { findSecretLookingKey } from './governed-json';
import { PreparedStatement } from './prepared-statement';

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
 * One multi-row INSERT for a batch: the rows travel as a single JSON parameter, so the statement
 * text (and its prepared plan) is the same for any batch size and nothing is escaped twice.
 */
const INSERT_SQL = `INSERT INTO audit_logs (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(id text, space_id text, actor_user_id text,
    actor_member_id text, actor_user_member_id text, action text, resource_type text, resource_id text, decision text,
    deny_code text, trace jsonb, request_id text, ip_address text, user_agent text)`;

function batchParameter(rows: AuditRow[]): string {
  return JSON.stringify(rows.map((row) => ({ ...row, trace: row.trace ?? {} })));
}

function insertChecked(manager: EntityManager | DataSource, rows: AuditRow[]): Promise<unknown> {
  return manager.query(INSERT_SQL, [batchParameter(rows)]);
}

/** Inserts audit rows inside the caller's transaction (management mutations use this). */
export async function insertAuditRows(manager: EntityManager | DataSource, rows: AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  assertNoSecrets(rows);
  await insertChecked(manager, rows);
}

/**
 * Writes audit rows for concurrent requests with group commit: rows written during one event-loop
 * turn go together at its end, and while one INSERT is in flight, rows that arrive wait and go
 * together in the next one. Each caller's promise settles only when the statement holding its own
 * row has committed (or failed), so an answer never leaves before its record is durable.
 */
export class AuditWriter {
  private queue: Array<{ row: AuditRow; resolve: () => void; reject: (error: unknown) => void }> = [];
  private flushing = false;
  /** A named statement: parsed once per connection rather than once per batch. */
  private readonly insert: PreparedStatement<never>;

  constructor(
    dataSource: DataSource,
    private readonly maxBatch = 256,
  ) {
    this.insert = new PreparedStatement(dataSource, 'plystra_audit_insert', INSERT_SQL);
  }

  write(row: AuditRow): Promise<void> {
    // Validate before queueing, so one bad trace never fails the rows batched with it.
    const secret = findSecretLookingKey(row.trace);
    if (secret) return Promise.reject(new AuditTraceSecretError(secret));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        void this.flush();
      }
    });
  }

  private async flush(): Promise<void> {
    do {
      // The end of this event-loop turn: the rows written during it leave together.
      await new Promise(setImmediate);
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        // write() has already checked each trace.
        await this.insert.rows([batchParameter(batch.map((entry) => entry.row))]);
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    } while (this.queue.length > 0);
    this.flushing = false;
  }
}
