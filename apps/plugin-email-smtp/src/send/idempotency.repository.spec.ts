import { runMigrations } from '@plystra/db';
import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import type { EmailSendResponse } from '@plystra/email-contract';
import { pluginEmailSmtpMigrations } from '../../../../migrations/plugin-email-smtp';
import { IdempotencyRepository } from './idempotency.repository';

const DAY = 24 * 60 * 60 * 1000;
const delivered: EmailSendResponse = { accepted: true, message_id: 'm1', provider: 'smtp', provider_message_id: '<a@b.c>' };
const failed: EmailSendResponse = { accepted: false, message_id: 'm1', provider: 'smtp', error_code: 'SMTP_UNAVAILABLE', error_message: 'down' };

describe('IdempotencyRepository on PostgreSQL', () => {
  let db: TestDatabase;
  let ledger: IdempotencyRepository;
  let n = 0;
  const key = () => `key_${++n}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.url, pluginEmailSmtpMigrations);
    ledger = new IdempotencyRepository(db.dataSource);
  });
  afterAll(() => db.drop());

  it('lets exactly one of many concurrent claims win', async () => {
    const k = key();
    const claims = await Promise.all(Array.from({ length: 20 }, () => ledger.claim(k, 'h', 60_000, DAY)));
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    for (const c of claims.filter((c) => !c.claimed)) expect(c).toEqual({ claimed: false, record: { state: 'pending', requestHash: 'h', response: null, leaseExpired: false } });
  });

  it('answers later claims with the stored delivery and never re-claims it', async () => {
    const k = key();
    const first = await ledger.claim(k, 'h', 60_000, DAY);
    if (!first.claimed) throw new Error('expected a claim');
    expect(await ledger.settle(k, first.claimToken, 'delivered', delivered)).toBe(true);
    expect(await ledger.claim(k, 'h', 60_000, DAY)).toEqual({ claimed: false, record: { state: 'delivered', requestHash: 'h', response: delivered, leaseExpired: false } });
    expect(await ledger.settle(k, first.claimToken, 'failed', failed)).toBe(false);
  });

  it('lets the same request claim a failed key again, but not a different one', async () => {
    const k = key();
    const first = await ledger.claim(k, 'h', 60_000, DAY);
    if (!first.claimed) throw new Error('expected a claim');
    await ledger.settle(k, first.claimToken, 'failed', failed);
    expect((await ledger.claim(k, 'other', 60_000, DAY)).claimed).toBe(false);
    const retry = await ledger.claim(k, 'h', 60_000, DAY);
    expect(retry.claimed).toBe(true);
    const [row] = await db.dataSource.query(`SELECT state, attempts, response FROM plugin_email_smtp_idempotency WHERE idempotency_key = $1`, [k]);
    expect(row).toEqual({ state: 'pending', attempts: 2, response: null });
    if (retry.claimed) expect(await ledger.settle(k, first.claimToken, 'delivered', delivered)).toBe(false);
  });

  it('takes over a pending claim whose lease ran out, and a key whose 24 hours are over', async () => {
    const abandoned = key();
    await ledger.claim(abandoned, 'h', 1, DAY);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await ledger.find(abandoned)).toMatchObject({ state: 'pending', leaseExpired: true });
    expect((await ledger.claim(abandoned, 'h', 60_000, DAY)).claimed).toBe(true);

    const old = key();
    const first = await ledger.claim(old, 'h', 60_000, 1);
    if (!first.claimed) throw new Error('expected a claim');
    await ledger.settle(old, first.claimToken, 'delivered', delivered);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await ledger.find(old)).toBeNull();
    expect((await ledger.claim(old, 'different', 60_000, DAY)).claimed).toBe(true);
    expect(await ledger.purgeExpired()).toBe(0);
  });

  it('purges settled keys older than their window', async () => {
    const k = key();
    const claim = await ledger.claim(k, 'h', 60_000, 1);
    if (!claim.claimed) throw new Error('expected a claim');
    await ledger.settle(k, claim.claimToken, 'delivered', delivered);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await ledger.purgeExpired()).toBeGreaterThanOrEqual(1);
    const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM plugin_email_smtp_idempotency WHERE idempotency_key = $1`, [k]);
    expect(count).toBe(0);
  });

  it('leaves synchronous_commit on for the pooled connections after its writes', async () => {
    await ledger.claim(key(), 'h', 60_000, DAY);
    const settings: Array<{ synchronous_commit: string }> = await Promise.all(Array.from({ length: 10 }, () => db.dataSource.query(`SHOW synchronous_commit`).then((r) => r[0])));
    expect(settings.map((s) => s.synchronous_commit)).toEqual(Array(10).fill('on'));
  });
});
