import { createTestDatabase, insertGroup, insertMember, insertSpace, insertUser, insertUserMember, type TestDatabase } from '@plystra/db/testing';
import { AuditWriter, governedJsonProblems, isSecretLookingKey, newId, pgErrorInfo } from '@plystra/db';

describe('core schema on a real PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('refuses a user-member whose member lives in another space', async () => {
    const a = await insertSpace(db.dataSource);
    const b = await insertSpace(db.dataSource);
    const user = await insertUser(db.dataSource);
    const member = await insertMember(db.dataSource, a);
    await expect(insertUserMember(db.dataSource, { userId: user.id, memberId: member, spaceId: b })).rejects.toMatchObject({
      driverError: expect.objectContaining({ code: '23503' }),
    });
  });

  it('enforces the parent-path prefix rule and path immutability for groups', async () => {
    const space = await insertSpace(db.dataSource);
    const finance = await insertGroup(db.dataSource, space, 'finance');
    await expect(insertGroup(db.dataSource, space, 'financex.apac', { parentGroupId: finance })).rejects.toThrow(/must start with its parent path/);
    const apac = await insertGroup(db.dataSource, space, 'finance.apac', { parentGroupId: finance });
    const [row] = await db.dataSource.query(`SELECT depth FROM groups WHERE id = $1`, [apac]);
    expect(row.depth).toBe(1);
    await expect(db.dataSource.query(`UPDATE groups SET path = 'finance.emea' WHERE id = $1`, [apac])).rejects.toThrow(/immutable/);
  });

  it('never hard-deletes users', async () => {
    const user = await insertUser(db.dataSource);
    await expect(db.dataSource.query(`DELETE FROM users WHERE id = $1`, [user.id])).rejects.toThrow(/never hard-deleted/);
  });

  it('keeps audit_logs append-only, even for the owning role', async () => {
    const writer = new AuditWriter(db.dataSource);
    const id = newId('audit');
    await writer.write({
      id, space_id: null, actor_user_id: null, actor_member_id: null, actor_user_member_id: null, action: 'test.write',
      resource_type: 'test', resource_id: 'x', decision: 'allow', deny_code: null, trace: { note: 'hello' },
      request_id: null, ip_address: null, user_agent: null,
    });
    await expect(db.dataSource.query(`UPDATE audit_logs SET decision = 'deny' WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query(`DELETE FROM audit_logs WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(db.dataSource.query(`TRUNCATE audit_logs`)).rejects.toThrow(/append-only/);
    const [row] = await db.dataSource.query(`SELECT decision, trace FROM audit_logs WHERE id = $1`, [id]);
    expect(row).toEqual({ decision: 'allow', trace: { note: 'hello' } });
  });

  it('compresses audit traces with lz4 where the server is built with it, and keeps the default elsewhere', async () => {
    const lz4 = await db.dataSource.query(`CREATE TEMP TABLE lz4_probe (x text COMPRESSION lz4)`).then(() => true, () => false);
    const [column] = await db.dataSource.query(`SELECT attcompression FROM pg_attribute WHERE attrelid = 'audit_logs'::regclass AND attname = 'trace'`);
    expect(column.attcompression).toBe(lz4 ? 'l' : '');
  });

  const batchRow = (id: string) => ({
    id, space_id: 's', actor_user_id: null, actor_member_id: null, actor_user_member_id: null, action: 'test.batch',
    resource_type: 'test', resource_id: id, decision: 'deny' as const, deny_code: 'X', trace: {}, request_id: null, ip_address: null, user_agent: null,
  });

  it('batches concurrent audit writes and resolves each only after its row is stored', async () => {
    const writer = new AuditWriter(db.dataSource);
    const ids = Array.from({ length: 100 }, () => newId('audit'));
    await Promise.all(
      ids.map((id) =>
        writer.write(batchRow(id)).then(async () => {
          const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM audit_logs WHERE id = $1`, [id]);
          expect(count).toBe(1);
        }),
      ),
    );
  });

  it('stores the rows written in one event-loop turn with one INSERT', async () => {
    const writer = new AuditWriter(db.dataSource);
    const ids = Array.from({ length: 20 }, () => newId('audit'));
    await Promise.all(ids.map((id) => writer.write(batchRow(id))));
    // Rows of one statement share its transaction id.
    const [{ statements }] = await db.dataSource.query(`SELECT count(DISTINCT xmin::text)::int AS statements FROM audit_logs WHERE id = ANY($1)`, [ids]);
    expect(statements).toBe(1);
  });

  it('fails only the audit row the database refuses, and stores the rows written with it', async () => {
    const writer = new AuditWriter(db.dataSource);
    const ids = Array.from({ length: 12 }, () => newId('audit'));
    const settled = await Promise.allSettled(ids.map((id, i) => writer.write({ ...batchRow(id), user_agent: i === 5 ? 'bad\u0000agent' : 'ok' })));
    expect(settled.map((r) => r.status)).toEqual(ids.map((_, i) => (i === 5 ? 'rejected' : 'fulfilled')));
    const [{ stored }] = await db.dataSource.query(`SELECT count(*)::int AS stored FROM audit_logs WHERE id = ANY($1)`, [ids]);
    expect(stored).toBe(11);
  });

  it('refuses to store a trace with a secret-looking key', async () => {
    const writer = new AuditWriter(db.dataSource);
    await expect(
      writer.write({
        id: newId('audit'), space_id: null, actor_user_id: null, actor_member_id: null, actor_user_member_id: null, action: 'a',
        resource_type: 't', resource_id: 'r', decision: 'allow', deny_code: null, trace: { nested: [{ Refresh_Token: 'x' }] },
        request_id: null, ip_address: null, user_agent: null,
      }),
    ).rejects.toThrow(/secret-looking key at \$\.nested\[0\]\.Refresh_Token/);
  });

  it('maps driver errors to their SQLSTATE', async () => {
    const error = await db.dataSource.query(`SELECT 'x'::int`).catch((e: unknown) => e);
    expect(pgErrorInfo(error)?.code).toBe('22P02');
  });
});

describe('governed JSON', () => {
  it('accepts ordinary metadata and refuses secrets, depth and size', () => {
    expect(governedJsonProblems({ team: 'finance', tags: ['a', 'b'], nested: { level: 1 } })).toEqual([]);
    expect(governedJsonProblems({ 'Client.Secret': 'x' })[0]).toMatch(/looks like a secret/);
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 13; i++) deep = (deep.child = {}) as Record<string, unknown>;
    expect(governedJsonProblems(root)[0]).toMatch(/nested deeper/);
    expect(governedJsonProblems({ big: 'x'.repeat(8193) })[0]).toMatch(/longer than 8192/);
    expect(governedJsonProblems([])).toEqual(['must be a JSON object']);
    expect(isSecretLookingKey('api-key')).toBe(true);
    expect(isSecretLookingKey('display_name')).toBe(false);
  });
});
