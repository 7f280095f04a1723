import { DurableObject } from 'cloudflare:workers';
import type { EmailSendResponse } from '@plystra/email-contract';

export type LedgerState = 'pending' | 'delivered' | 'failed';

interface LedgerEntry {
  requestHash: string;
  state: LedgerState;
  claimToken: string;
  response: EmailSendResponse | null;
  /** Recipients the binding already accepted: a retry sends only to the others. */
  sentTo: string[];
  leaseExpiresAt: number;
  expiresAt: number;
}

export interface LedgerRecord {
  state: LedgerState;
  requestHash: string;
  response: EmailSendResponse | null;
  /** A pending claim whose owner has not settled it within its lease. */
  leaseExpired: boolean;
}

export type LedgerClaim = { claimed: true; claimToken: string; sentTo: string[] } | { claimed: false; record: LedgerRecord };

function recordOf(entry: LedgerEntry, now: number): LedgerRecord {
  return { state: entry.state, requestHash: entry.requestHash, response: entry.response, leaseExpired: entry.state === 'pending' && entry.leaseExpiresAt <= now };
}

const ENTRY = 'entry';

/**
 * One idempotency key (the object is addressed by `idFromName(key)`). A Durable Object runs one
 * call at a time, so a claim is atomic: the first request for a key owns it; a later one takes it
 * over only when the key has expired, or for the same request after a failed attempt or when the
 * owner's lease ran out. The entry deletes itself when its window ends.
 */
export class IdempotencyLedger extends DurableObject {
  async claim(requestHash: string, leaseMs: number, windowMs: number): Promise<LedgerClaim> {
    const now = Date.now();
    const entry = await this.ctx.storage.get<LedgerEntry>(ENTRY);
    const live = entry && entry.expiresAt > now ? entry : undefined;
    const reclaimable = live && live.requestHash === requestHash && (live.state === 'failed' || (live.state === 'pending' && live.leaseExpiresAt <= now));
    if (live && !reclaimable) return { claimed: false, record: recordOf(live, now) };
    const claimToken = crypto.randomUUID();
    const next: LedgerEntry = {
      requestHash,
      state: 'pending',
      claimToken,
      response: null,
      sentTo: live?.sentTo ?? [],
      leaseExpiresAt: now + leaseMs,
      expiresAt: live?.expiresAt ?? now + windowMs,
    };
    await this.ctx.storage.put(ENTRY, next);
    if (!live) await this.ctx.storage.setAlarm(next.expiresAt);
    return { claimed: true, claimToken, sentTo: next.sentTo };
  }

  async read(): Promise<LedgerRecord | null> {
    const now = Date.now();
    const entry = await this.ctx.storage.get<LedgerEntry>(ENTRY);
    return entry && entry.expiresAt > now ? recordOf(entry, now) : null;
  }

  async markSent(claimToken: string, recipient: string): Promise<void> {
    const entry = await this.ctx.storage.get<LedgerEntry>(ENTRY);
    if (!entry || entry.claimToken !== claimToken || entry.sentTo.includes(recipient)) return;
    entry.sentTo.push(recipient);
    await this.ctx.storage.put(ENTRY, entry);
  }

  async settle(claimToken: string, state: Exclude<LedgerState, 'pending'>, response: EmailSendResponse): Promise<boolean> {
    const entry = await this.ctx.storage.get<LedgerEntry>(ENTRY);
    if (!entry || entry.claimToken !== claimToken || entry.state !== 'pending') return false;
    await this.ctx.storage.put(ENTRY, { ...entry, state, response });
    return true;
  }

  async alarm(): Promise<void> {
    const entry = await this.ctx.storage.get<LedgerEntry>(ENTRY);
    if (!entry || entry.expiresAt <= Date.now()) await this.ctx.storage.deleteAll();
    else await this.ctx.storage.setAlarm(entry.expiresAt);
  }
}
