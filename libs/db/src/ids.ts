import { randomFillSync } from 'node:crypto';

const POOL_IDS = 512;
const pool = Buffer.alloc(8 * POOL_IDS);
let next = POOL_IDS;

/**
 * `<prefix>_<16 lowercase hex>` from 8 random bytes: the id format of every Plystra entity. The
 * bytes come from the CSPRNG in blocks of 512 ids, one system call per block instead of per id.
 */
export function newId(prefix: string): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const offset = 8 * next++;
  return `${prefix}_${pool.toString('hex', offset, offset + 8)}`;
}
