import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { BatchedStatement, findSecretLookingKey, newId } from '@plystra/db';

/** Each call's value doubled, with the statement's own timestamp: calls that shared a statement share it. */
const DOUBLE_SQL = `SELECT q.ord, q.v * 2 AS doubled, q.label AS label, statement_timestamp()::text AS statement
  FROM jsonb_to_recordset($1::jsonb) AS q(ord integer, v integer, label text)`;

interface Doubled {
  doubled: number;
  label: string;
  statement: string;
}

describe('BatchedStatement on a real PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('answers each concurrent call with its own row, in fewer statements than calls', async () => {
    const statement = new BatchedStatement<Doubled>(db.dataSource, 'test_batched_double', DOUBLE_SQL);
    const rows = await Promise.all(Array.from({ length: 200 }, (_, v) => statement.row({ v, label: `call ${v}` })));
    rows.forEach((row, v) => expect(row).toMatchObject({ doubled: 2 * v, label: `call ${v}` }));
    expect(rows.every((row) => !('ord' in row))).toBe(true);
    const statements = new Set(rows.map((row) => row.statement)).size;
    expect(statements).toBeGreaterThan(1);
    expect(statements).toBeLessThan(50);
  });

  it('sends the calls made in one event-loop turn together, even with nothing on the wire', async () => {
    const statement = new BatchedStatement<Doubled>(db.dataSource, 'test_batched_turn', DOUBLE_SQL);
    const rows = await Promise.all(Array.from({ length: 20 }, (_, v) => statement.row({ v, label: `turn ${v}` })));
    rows.forEach((row, v) => expect(row).toMatchObject({ doubled: 2 * v, label: `turn ${v}` }));
    expect(new Set(rows.map((row) => row.statement)).size).toBe(1);
  });

  it('sends a lone call at once, alone', async () => {
    const statement = new BatchedStatement<Doubled>(db.dataSource, 'test_batched_lone', DOUBLE_SQL);
    await expect(statement.row({ v: 21, label: 'lone' })).resolves.toMatchObject({ doubled: 42, label: 'lone' });
  });

  it('does not hold calls behind a slow statement for longer than its patience', async () => {
    const SLOW_SQL = `SELECT q.ord, q.v AS doubled, (SELECT pg_sleep(q.pause)) IS NULL AS slept
      FROM jsonb_to_recordset($1::jsonb) AS q(ord integer, v integer, pause float8)`;
    const statement = new BatchedStatement<{ doubled: number }>(db.dataSource, 'test_batched_patience', SLOW_SQL, { patienceMs: 5 });
    const started = performance.now();
    const slow = statement.row({ v: 1, pause: 1.5 }).then(() => performance.now() - started);
    await new Promise((r) => setTimeout(r, 20));
    const fast = await statement.row({ v: 2, pause: 0 }).then(() => performance.now() - started);
    // With one statement at a time, the fast call would have waited the slow one's 1.5 s.
    expect(fast).toBeLessThan(750);
    expect(await slow).toBeGreaterThanOrEqual(1400);
  });

  it('fails every call of a batch at once when the failure is not one input (a missing table here)', async () => {
    const statement = new BatchedStatement<Doubled>(db.dataSource, 'test_batched_broken', `SELECT q.ord FROM jsonb_to_recordset($1::jsonb) AS q(ord integer) JOIN no_such_table ON true`);
    const settled = await Promise.allSettled(Array.from({ length: 10 }, (_, v) => statement.row({ v })));
    expect(settled.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'fulfilled'))).toEqual(Array(10).fill('42P01'));
  });

  it('fails only the call whose input the database refuses, never its neighbours', async () => {
    const statement = new BatchedStatement<Doubled>(db.dataSource, 'test_batched_refused', DOUBLE_SQL);
    // PostgreSQL text cannot hold U+0000: the batch carrying it fails, and is retried call by call.
    const calls = Array.from({ length: 40 }, (_, v) => statement.row({ v, label: v === 17 ? 'bad\u0000label' : `ok ${v}` }));
    const settled = await Promise.allSettled(calls);
    settled.forEach((result, v) => {
      if (v === 17) expect(result).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ code: '22P05' }) });
      else expect(result).toEqual({ status: 'fulfilled', value: expect.objectContaining({ doubled: 2 * v, label: `ok ${v}` }) });
    });
  });
});

describe('audit helpers', () => {
  it('names the path of the first secret-looking key', () => {
    expect(findSecretLookingKey({ a: [{ b: 1 }, { c: { 'API-Key': 'x' } }] })).toBe('$.a[1].c.API-Key');
    expect(findSecretLookingKey({ Session_Token: 1 })).toBe('$.Session_Token');
    expect(findSecretLookingKey({ a: [{ b: 1 }], display_name: 'x' })).toBeNull();
    expect(findSecretLookingKey([1, 'secret', null])).toBeNull();
  });

  it('draws ids of the Plystra format, never the same twice', () => {
    const ids = Array.from({ length: 5000 }, () => newId('audit'));
    for (const id of ids) expect(id).toMatch(/^audit_[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
