import { startCore, type CoreTestApp } from '../core-test-app';
import { type Admin, expectError, insertKey, signedInAdmin } from './access-fixtures';

const CHECK = '/api/v1/authz/check';
const QUESTION = {
  actor: { user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' },
  resource_type: 'invoice',
  resource_id: 'invoice_001',
  action: 'approve',
};

describe('API keys held in memory for authorization checks (two Core replicas, one real PostgreSQL)', () => {
  let a: CoreTestApp;
  let b: CoreTestApp;
  let root: Admin;

  beforeAll(async () => {
    a = await startCore();
    b = await startCore({ db: a.db, seed: false });
    root = await signedInAdmin(a, [{ level: 'instance_super_admin', permission_key: '*' }], 'user_root');
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const spaceKey = () => insertKey(a, { level: 'space', permission_keys: ['authz:check', 'api_keys:read'] });
  const check = (core: CoreTestApp, header: [string, string]) => core.http.post(CHECK).set(...header).send(QUESTION);
  const version = async () => (await a.db.dataSource.query(`SELECT version FROM api_key_version`))[0].version as string;

  it('a check served from memory skips the key lookup, while every other route reads the key', async () => {
    const key = await spaceKey();
    await check(a, key.header).expect(200);
    // With the version trigger off, a change to the key is invisible to the cache: this shows the
    // second check really comes from memory, and that only the check routes use it.
    await a.db.dataSource.query(`ALTER TABLE api_keys DISABLE TRIGGER api_keys_bump_version_update`);
    try {
      await a.db.dataSource.query(`UPDATE api_keys SET status = 'disabled' WHERE id = $1`, [key.id]);
      expect((await check(a, key.header).expect(200)).body.data.decision).toBe('allow');
      expectError(await a.http.get('/api/v1/api-keys').set(...key.header), 401, 'AUTHENTICATION_REQUIRED');
    } finally {
      await a.db.dataSource.query(`ALTER TABLE api_keys ENABLE TRIGGER api_keys_bump_version_update`);
    }
  });

  it('a key revoked through one replica is refused by the other replica\'s next check, with no audit row', async () => {
    const key = await spaceKey();
    await check(a, key.header).expect(200);
    await check(a, key.header).expect(200);
    await b.http.post(`/api/v1/api-keys/${key.id}/revoke`).set(...root.auth).send({ revoked_reason: 'leaked' }).expect(200);
    const [{ n: before }] = await a.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'approve'`);
    expectError(await check(a, key.header), 401, 'AUTHENTICATION_REQUIRED');
    expectError(await a.http.post('/api/v1/authz/check-batch').set(...key.header).send({ checks: [QUESTION] }), 401, 'AUTHENTICATION_REQUIRED');
    const [{ n: after }] = await a.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'approve'`);
    expect(after).toBe(before);
  });

  it('a cached key stops at its expiry time without any write to the key', async () => {
    const key = await insertKey(a, { level: 'space', permission_keys: ['authz:check'], expires_at: new Date(Date.now() + 1500) });
    await check(a, key.header).expect(200);
    await new Promise((r) => setTimeout(r, 1600));
    expectError(await check(a, key.header), 401, 'AUTHENTICATION_REQUIRED');
  });

  it('checks that miss the cache together share one key read and one last_used_at refresh', async () => {
    const key = await spaceKey();
    const q = (sql: string, params?: unknown[]) => a.db.dataSource.query(sql, params);
    // A test-only trigger counts the writes to the key row.
    await q(`CREATE TABLE test_key_writes (key_id text NOT NULL)`);
    await q(`CREATE FUNCTION test_count_key_write() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN INSERT INTO test_key_writes VALUES (NEW.id); RETURN NULL; END $$`);
    await q(`CREATE TRIGGER test_key_write AFTER UPDATE ON api_keys FOR EACH ROW EXECUTE FUNCTION test_count_key_write()`);
    // The key row stays locked while the checks arrive, so the first refresh cannot finish (and
    // fill the cache) before the others have missed it too.
    const locker = a.db.dataSource.createQueryRunner();
    await locker.connect();
    try {
      await locker.startTransaction();
      await locker.query(`SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE`, [key.id]);
      const pending = Promise.all(Array.from({ length: 20 }, () => check(a, key.header).then((r) => r.status)));
      await new Promise((r) => setTimeout(r, 500));
      await locker.commitTransaction();
      expect(await pending).toEqual(Array(20).fill(200));
      const [{ n }] = await q(`SELECT count(*)::int AS n FROM test_key_writes WHERE key_id = $1`, [key.id]);
      expect(n).toBe(1);
      const [{ used }] = await q(`SELECT last_used_at IS NOT NULL AS used FROM api_keys WHERE id = $1`, [key.id]);
      expect(used).toBe(true);
    } finally {
      await locker.release();
      await q(`DROP TRIGGER test_key_write ON api_keys`);
      await q(`DROP FUNCTION test_count_key_write()`);
      await q(`DROP TABLE test_key_writes`);
    }
  });

  it('the version token changes with what decides a key, not with last_used_at', async () => {
    const key = await spaceKey();
    const start = await version();
    await a.db.dataSource.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [key.id]);
    expect(await version()).toBe(start);
    await a.db.dataSource.query(`UPDATE api_keys SET expires_at = now() + interval '1 day' WHERE id = $1`, [key.id]);
    const afterExpiry = await version();
    expect(afterExpiry).not.toBe(start);
    await a.db.dataSource.query(`UPDATE api_keys SET status = 'disabled' WHERE id = $1`, [key.id]);
    expect(await version()).not.toBe(afterExpiry);
  });
});
