import type { DataSource } from 'typeorm';
import { pgErrorInfo } from './pg-errors';
import { PreparedStatement } from './prepared-statement';

interface Pending<Row> {
  params: object;
  resolve: (row: Row) => void;
  reject: (error: unknown) => void;
}

export interface BatchedStatementOptions {
  /** Batches on the wire at once; a call that finds them all busy waits for the next one. */
  maxInFlight?: number;
  /**
   * A further batch goes out while one is on the wire only once the latest has been out this long:
   * fast statements then ride one at a time (fewest round trips), and a slow one cannot hold the
   * calls behind it for longer than this.
   */
  patienceMs?: number;
  /** The most calls one batch carries. */
  maxBatch?: number;
}

/** The one JSON parameter of a batched statement: each call's parameters plus its 1-based position `ord`. */
export function batchParameter(calls: Array<object>): string {
  return JSON.stringify(calls.map((params, i) => ({ ...params, ord: i + 1 })));
}

/**
 * A named statement that answers many concurrent calls in one round trip.
 *
 * The statement takes the calls as one JSON parameter, an array of each call's parameters plus
 * its 1-based position `ord` (read it with `jsonb_to_recordset($1::jsonb)`), and returns one row
 * per call with that `ord`. One JSON parameter keeps PostgreSQL on a single generic plan for any
 * batch size (with one array per column it re-plans every batch, since each custom plan knows
 * the array lengths).
 *
 * A call goes out at the end of the event-loop turn that made it, with every call made in that
 * turn (requests read together leave together), when nothing is on the wire; otherwise it waits
 * and leaves with the calls that arrived meanwhile, as soon as the batch on the wire returns or
 * has been out `patienceMs` (then up to `maxInFlight` batches run side by side). An idle service
 * adds no timer delay, a busy one sends a fraction of the statements, and one slow statement (a
 * member with fifty roles, say) holds the calls behind it back only briefly.
 *
 * A batch that fails on a data exception is run again one call at a time, so an input the
 * database refuses (a NUL byte, say) fails only its own call, never the calls that travelled
 * with it; any other failure fails the whole batch at once.
 */
export class BatchedStatement<Row> {
  private queue: Array<Pending<Row>> = [];
  private inFlight = 0;
  private lastSentAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private readonly statement: PreparedStatement<Row & { ord: number }>;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly patienceMs: number;

  constructor(dataSource: DataSource, name: string, text: string, options: BatchedStatementOptions = {}) {
    this.statement = new PreparedStatement(dataSource, name, text);
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxBatch = options.maxBatch ?? 64;
    this.patienceMs = options.patienceMs ?? 2;
  }

  /** The row of one call, given that call's parameters by name. */
  row(params: object): Promise<Row> {
    return new Promise<Row>((resolve, reject) => {
      this.queue.push({ params, resolve, reject });
      this.dispatchSoon();
    });
  }

  /** Dispatches at the end of this event-loop turn, so the calls made during the turn leave together. */
  private dispatchSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const wait = this.inFlight > 0 ? this.lastSentAt + this.patienceMs - performance.now() : 0;
      if (wait > 0) return this.dispatchIn(wait);
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.lastSentAt = performance.now();
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.dispatchSoon();
      });
    }
  }

  private dispatchIn(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dispatch();
    }, Math.ceil(ms));
  }

  private async run(batch: Array<Pending<Row>>): Promise<void> {
    try {
      const rows = await this.execute(batch);
      batch.forEach((call, i) => call.resolve(rows[i]));
    } catch (error) {
      // Only a data exception (SQLSTATE class 22) can be one call's input; any other failure
      // (the database unreachable, a timeout) is every call's, and retrying each would only wait longer.
      if (batch.length === 1 || !pgErrorInfo(error)?.code.startsWith('22')) {
        for (const call of batch) call.reject(error);
        return;
      }
      for (const call of batch) {
        await this.execute([call]).then(([row]) => call.resolve(row), call.reject);
      }
    }
  }

  private async execute(batch: Array<Pending<Row>>): Promise<Row[]> {
    const rows = await this.statement.rows([batchParameter(batch.map((call) => call.params))]);
    const ordered = new Array<Row>(batch.length);
    for (const { ord, ...row } of rows) ordered[Number(ord) - 1] = row as unknown as Row;
    for (let i = 0; i < batch.length; i++) {
      if (ordered[i] === undefined) throw new Error(`batched statement returned no row for call ${i + 1} of ${batch.length}`);
    }
    return ordered;
  }
}
