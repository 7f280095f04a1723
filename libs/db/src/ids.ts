import { randomBytes } from 'node:crypto';

/** `<prefix>_<16 lowercase hex>` from 8 random bytes: the id format of every Plystra entity. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}
