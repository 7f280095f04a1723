import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EmailSendResponse } from '@plystra/email-contract';

export type IdempotencyState = 'pending' | 'delivered' | 'failed';

export interface IdempotencyRecord {
  state: IdempotencyState;
  requestHash: string;
  response: EmailSendResponse | null;
  /** A pending claim whose owner has not settled it within its lease (it may have died). */
  leaseExpired: boolean;
}

/**
 * Prefix of a write that commits asynchronously: `set_config(…, true)` lasts for the statement's
 * own transaction, and the CTE runs because the write reads its one row.
 */
const ASYNC_COMMIT = `WITH async_commit AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))`;

export type ClaimResult = { claimed: true; claimToken: string } | { claimed: false; record: IdempotencyRecord | null };

/**
 * The ledger of idempotency keys in `plugin_email_smtp_idempotency`. A key is claimed atomically:
 * the first request inserts it as `pending`; a later one takes it over only when the key has
 * expired, or for the same request when the last attempt failed or its owner vanished (lease over).
 *
 * Writes commit asynchronously (`synchronous_commit = off`, for these statements only): a commit
 * no longer waits for its WAL flush, which is most of the cost of a send. A crash of PostgreSQL
 * itself (not of this service) can then forget the keys written in its last fraction of a second,
 * so a retry of one of those messages could deliver a second copy; a message is never lost and a
 * failure is never recorded as a delivery.
 */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async claim(key: string, requestHash: string, leaseMs: number, windowMs: number): Promise<ClaimResult> {
    const claimToken = randomBytes(12).toString('hex');
    const rows: Array<{ claim_token: string }> = await this.dataSource.query(
      `${ASYNC_COMMIT}
       INSERT INTO plugin_email_smtp_idempotency AS t (idempotency_key, request_hash, state, claim_token, lease_expires_at, expires_at)
       SELECT $1, $2, 'pending', $3, now() + make_interval(secs => $4 / 1000.0), now() + make_interval(secs => $5 / 1000.0) FROM async_commit
       ON CONFLICT (idempotency_key) DO UPDATE SET
         state = 'pending',
         claim_token = EXCLUDED.claim_token,
         request_hash = EXCLUDED.request_hash,
         response = NULL,
         lease_expires_at = EXCLUDED.lease_expires_at,
         attempts = CASE WHEN t.expires_at <= now() THEN 1 ELSE t.attempts + 1 END,
         created_at = CASE WHEN t.expires_at <= now() THEN now() ELSE t.created_at END,
         expires_at = CASE WHEN t.expires_at <= now() THEN EXCLUDED.expires_at ELSE t.expires_at END,
         updated_at = now()
       WHERE t.expires_at <= now()
          OR (t.request_hash = EXCLUDED.request_hash AND (t.state = 'failed' OR (t.state = 'pending' AND t.lease_expires_at <= now())))
       RETURNING claim_token`,
      [key, requestHash, claimToken, leaseMs, windowMs],
    );
    if (rows[0]?.claim_token === claimToken) return { claimed: true, claimToken };
    return { claimed: false, record: await this.find(key) };
  }

  async find(key: string): Promise<IdempotencyRecord | null> {
    const rows: Array<{ state: IdempotencyState; request_hash: string; response: EmailSendResponse | null; lease_expired: boolean }> = await this.dataSource.query(
      `SELECT state, request_hash, response, lease_expires_at <= now() AS lease_expired
       FROM plugin_email_smtp_idempotency WHERE idempotency_key = $1 AND expires_at > now()`,
      [key],
    );
    const row = rows[0];
    return row ? { state: row.state, requestHash: row.request_hash, response: row.response, leaseExpired: row.state === 'pending' && row.lease_expired } : null;
  }

  /** Stores the answer of the claim's attempt; false when the claim was lost meanwhile. */
  async settle(key: string, claimToken: string, state: Exclude<IdempotencyState, 'pending'>, response: EmailSendResponse): Promise<boolean> {
    const result: [unknown[], number] = await this.dataSource.query(
      `${ASYNC_COMMIT}
       UPDATE plugin_email_smtp_idempotency SET state = $3, response = $4, updated_at = now()
       FROM async_commit
       WHERE idempotency_key = $1 AND claim_token = $2 AND state = 'pending'`,
      [key, claimToken, state, JSON.stringify(response)],
    );
    return result[1] === 1;
  }

  async purgeExpired(): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM plugin_email_smtp_idempotency WHERE expires_at <= now() AND (state <> 'pending' OR lease_expires_at <= now())`,
    );
    return result[1];
  }
}
