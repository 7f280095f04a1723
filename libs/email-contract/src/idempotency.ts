import { EmailRefusalCodes } from './email-contract.constants';
import type { EmailSendResponse } from './email-contract.types';

/** What a provider's idempotency ledger holds for a key, as the wait below reads it. */
export interface IdempotencyEntry {
  state: string;
  requestHash: string;
  response: EmailSendResponse | null;
  /** A pending claim whose owner has not settled it within its lease (it may have died). */
  leaseExpired: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits while another request holds an idempotency key, re-reading the ledger with a growing
 * pause (20 ms up to 250 ms): the settled entry; null when the key is free to claim again (gone,
 * or its holder's lease ran out); `in-progress` once `deadline` (epoch ms) has passed. An entry
 * for a different message is refused through `refuse` (409 `IDEMPOTENCY_KEY_REUSED`).
 */
export async function awaitSettledSend<E extends IdempotencyEntry>(
  first: E | null,
  reread: () => Promise<E | null>,
  requestHash: string,
  deadline: number,
  refuse: (status: number, code: string, message: string) => Error,
): Promise<E | null | 'in-progress'> {
  let entry = first;
  let delay = 20;
  for (;;) {
    if (!entry) return null;
    if (entry.requestHash !== requestHash) {
      throw refuse(409, EmailRefusalCodes.IDEMPOTENCY_KEY_REUSED, 'This idempotency key was used for a different message within the last 24 hours.');
    }
    if (entry.state !== 'pending') return entry;
    if (entry.leaseExpired) return null;
    if (Date.now() >= deadline) return 'in-progress';
    await sleep(Math.min(delay, Math.max(deadline - Date.now(), 1)));
    delay = Math.min(delay * 1.5, 250);
    entry = await reread();
  }
}
