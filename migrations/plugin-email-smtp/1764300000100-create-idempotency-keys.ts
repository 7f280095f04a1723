import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per idempotency key, for 24 hours. A send claims its key with INSERT … ON CONFLICT, so
 * of concurrent duplicates exactly one delivers; the others read its stored answer. Only a
 * `pending` row has no answer; a `failed` one may be claimed again by a retry with the same request.
 */
export class CreateIdempotencyKeys1764300000100 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plugin_email_smtp_idempotency (
        idempotency_key text PRIMARY KEY CHECK (idempotency_key <> '' AND length(idempotency_key) <= 200),
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
        claim_token text NOT NULL,
        response jsonb,
        attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        lease_expires_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT plugin_email_smtp_idempotency_answer CHECK ((state = 'pending') = (response IS NULL))
      );
      CREATE INDEX plugin_email_smtp_idempotency_expires_idx ON plugin_email_smtp_idempotency (expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE plugin_email_smtp_idempotency`);
  }
}
