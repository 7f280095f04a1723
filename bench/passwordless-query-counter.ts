import { Client } from 'pg';

/**
 * Counts the statements this process sends to PostgreSQL through `pg` (every pool and every
 * ORM on top of it goes through `Client.prototype.query`): each one is a round trip. Installed
 * by the bench servers only (the plugin's floor server and the Better Auth server), never by a
 * product process.
 */
export function countQueries(): () => number {
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let count = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  return () => count;
}
