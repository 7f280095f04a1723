import { Injectable } from '@nestjs/common';
import { PreparedStatement } from '@plystra/db';
import { DataSource } from 'typeorm';
import type { ChallengePurpose } from './challenge-secrets';

export interface NewChallenge {
  id: string;
  purpose: ChallengePurpose;
  email: string;
  userId: string | null;
  secretHash: string;
  codeHash: string | null;
  redirectUrl: string | null;
  requestIp: string | null;
  requestUserAgent: string | null;
  maxAttempts: number;
  expiresAt: Date;
  metadata: Record<string, unknown>;
}

/** A challenge that was just consumed: what the sign-in needs, never a hash. */
export interface ConsumedChallenge {
  id: string;
  email: string;
  user_id: string | null;
  redirect_url: string | null;
  metadata: Record<string, unknown>;
}

export type VerifyResult =
  | { outcome: 'consumed'; challenge: ConsumedChallenge }
  | { outcome: 'wrong'; challengeId: string; userId: string | null; attempts: number }
  | { outcome: 'locked'; challengeId: string; userId: string | null; attempts: number }
  | { outcome: 'none' };

/**
 * Supersedes the pending challenges of this email and purpose and inserts the new one, in one
 * statement (a data-modifying WITH always runs).
 */
const CREATE_SQL = `WITH superseded AS (
     UPDATE plugin_auth_challenges SET status = 'superseded'
      WHERE email = $3 AND purpose = $2 AND status = 'pending'
      RETURNING id
   )
   INSERT INTO plugin_auth_challenges (id, purpose, email, user_id, secret_hash, code_hash, redirect_url, request_ip, request_user_agent,
                                       max_attempts, expires_at, metadata)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`;

/**
 * One guess at the newest pending code of an email: `attempts` goes up before the comparison,
 * the right code consumes the challenge, and the guess that reaches `max_attempts` locks it. Of
 * concurrent guesses, PostgreSQL serialises the row and re-checks `pending`, so only one wins.
 */
const VERIFY_CODE_SQL = `UPDATE plugin_auth_challenges c
      SET attempts = c.attempts + 1,
          status = CASE WHEN c.code_hash = ANY($2) THEN 'consumed'
                        WHEN c.attempts + 1 >= c.max_attempts THEN 'locked'
                        ELSE 'pending' END,
          consumed_at = CASE WHEN c.code_hash = ANY($2) THEN now() END
    WHERE c.id = (SELECT id FROM plugin_auth_challenges
                   WHERE email = $1 AND purpose = 'auth.email_code' AND status = 'pending'
                   ORDER BY created_at DESC, id DESC LIMIT 1)
      AND c.status = 'pending' AND c.expires_at > now() AND c.attempts < c.max_attempts
    RETURNING c.id, c.email, c.user_id, c.redirect_url, c.metadata, c.status, c.attempts`;

/** Consumes a magic link in one conditional UPDATE: of any number of concurrent consumes, one gets the row. */
const CONSUME_MAGIC_LINK_SQL = `UPDATE plugin_auth_challenges
      SET status = 'consumed', consumed_at = now(), attempts = attempts + 1
    WHERE secret_hash = ANY($1) AND purpose = 'auth.magic_link' AND status = 'pending' AND expires_at > now()
    RETURNING id, email, user_id, redirect_url, metadata`;

/**
 * Every statement on `plugin_auth_challenges`; each step is one round trip. The steps of every
 * send and sign-in are named statements (parsed and planned once per connection).
 */
@Injectable()
export class ChallengeRepository {
  private readonly createStatement: PreparedStatement<never>;
  private readonly deliveredStatement: PreparedStatement<never>;
  private readonly verifyCodeStatement: PreparedStatement<ConsumedChallenge & { status: string; attempts: number }>;
  private readonly consumeMagicLinkStatement: PreparedStatement<ConsumedChallenge>;

  constructor(private readonly dataSource: DataSource) {
    this.createStatement = new PreparedStatement(dataSource, 'plugin_auth_challenge_create', CREATE_SQL);
    this.deliveredStatement = new PreparedStatement(dataSource, 'plugin_auth_challenge_delivered',
      `UPDATE plugin_auth_challenges SET provider_message_id = $2 WHERE id = $1`);
    this.verifyCodeStatement = new PreparedStatement(dataSource, 'plugin_auth_challenge_verify_code', VERIFY_CODE_SQL);
    this.consumeMagicLinkStatement = new PreparedStatement(dataSource, 'plugin_auth_challenge_consume_link', CONSUME_MAGIC_LINK_SQL);
  }

  async create(c: NewChallenge): Promise<void> {
    await this.createStatement.rows(
      [c.id, c.purpose, c.email, c.userId, c.secretHash, c.codeHash, c.redirectUrl, c.requestIp, c.requestUserAgent, c.maxAttempts, c.expiresAt, c.metadata],
    );
  }

  async markDelivered(id: string, providerMessageId: string | null): Promise<void> {
    await this.deliveredStatement.rows([id, providerMessageId]);
  }

  async markFailed(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE plugin_auth_challenges SET status = 'failed' WHERE id = $1 AND status = 'pending'`, [id]);
  }

  async verifyCode(email: string, codeHashes: string[]): Promise<VerifyResult> {
    const [row] = await this.verifyCodeStatement.rows([email, codeHashes]);
    if (!row) return { outcome: 'none' };
    if (row.status === 'consumed') {
      return { outcome: 'consumed', challenge: { id: row.id, email: row.email, user_id: row.user_id, redirect_url: row.redirect_url, metadata: row.metadata } };
    }
    return { outcome: row.status === 'locked' ? 'locked' : 'wrong', challengeId: row.id, userId: row.user_id, attempts: row.attempts };
  }

  async consumeMagicLink(secretHashes: string[]): Promise<ConsumedChallenge | null> {
    const [row] = await this.consumeMagicLinkStatement.rows([secretHashes]);
    return row ?? null;
  }

  /** Read-only look at a magic link, for the confirm page (a GET never changes anything). */
  async peekMagicLink(secretHashes: string[]): Promise<{ email: string; usable: boolean } | null> {
    const rows: Array<{ email: string; usable: boolean }> = await this.dataSource.query(
      `SELECT email, (status = 'pending' AND expires_at > now()) AS usable
         FROM plugin_auth_challenges WHERE secret_hash = ANY($1) AND purpose = 'auth.magic_link'`,
      [secretHashes],
    );
    return rows[0] ?? null;
  }
}
