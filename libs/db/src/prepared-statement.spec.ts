import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { PreparedStatement } from '@plystra/db';

describe('PreparedStatement on a real PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.query(`CREATE TABLE prepared_counters (id text PRIMARY KEY, n integer NOT NULL)`);
    await db.dataSource.query(`INSERT INTO prepared_counters VALUES ('a', 1), ('b', 5)`);
  });
  afterAll(() => db.drop());

  const bump = () => new PreparedStatement<{ id: string; n: number }>(db.dataSource, 'test_prepared_bump', `UPDATE prepared_counters SET n = n + 1 WHERE id = ANY($1) RETURNING id, n`);
  const read = () => new PreparedStatement<{ id: string; n: number }>(db.dataSource, 'test_prepared_read', `SELECT id, n FROM prepared_counters WHERE id = $1`);

  it('runs as a named statement on the pool: PostgreSQL keeps it prepared on the connection', async () => {
    const rows = await bump().rows([['a']]);
    expect(rows).toEqual([{ id: 'a', n: 2 }]);
    const pool = (db.dataSource.driver as unknown as { master: { query(sql: string): Promise<{ rows: unknown[] }> } }).master;
    // The pool here has connections that ran the statement; at least one reports it prepared.
    const seen = await Promise.all(Array.from({ length: 3 }, () => pool.query(`SELECT name FROM pg_prepared_statements WHERE name = 'test_prepared_bump'`)));
    expect(seen.some((r) => r.rows.length === 1)).toBe(true);
  });

  it('answers the rows alike on the data source and inside a transaction, for an UPDATE and for a SELECT', async () => {
    expect(await bump().rowsOn(db.dataSource, [['b']])).toEqual([{ id: 'b', n: 6 }]);
    const inside = await db.dataSource.transaction(async (manager) => ({
      updated: await bump().rowsOn(manager, [['a', 'b']]),
      none: await bump().rowsOn(manager, [['missing']]),
      selected: await read().rowsOn(manager, ['b']),
      nothing: await read().rowsOn(manager, ['missing']),
    }));
    expect(inside.updated.sort((x, y) => x.id.localeCompare(y.id))).toEqual([{ id: 'a', n: 3 }, { id: 'b', n: 7 }]);
    expect(inside.none).toEqual([]);
    expect(inside.selected).toEqual([{ id: 'b', n: 7 }]);
    expect(inside.nothing).toEqual([]);
  });

  it('rolls back with the transaction it ran in', async () => {
    await expect(
      db.dataSource.transaction(async (manager) => {
        await bump().rowsOn(manager, [['a']]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await read().rows(['a'])).toEqual([{ id: 'a', n: 3 }]);
  });
});
