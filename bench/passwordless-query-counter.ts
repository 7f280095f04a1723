import { Client } from 'pg';

/**
 * Counts the statements this process sends to PostgreSQL through `pg` (every pool and every
 * ORM on top of it goes through `Client.prototype.query`): each one is a round trip. Installed
 * by the bench servers only (the plugin's floor server and the Better Auth server), never by a
 * product process. BENCH_TRACE_QUERIES=1 also prints each statement to stderr (for diagnosis).
 */
export function countQueries(): () => number {
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let count = 0;
  const trace = process.env.BENCH_TRACE_QUERIES === '1';
  proto.query = function (this: unknown, ...args: unknown[]) {
    count++;
    if (trace) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
      process.stderr.write(`[sql] ${String(text).replace(/\s+/g, ' ').slice(0, 160)}\n`);
    }
    return original.apply(this, args);
  };
  return () => count;
}
