import { findSecretLookingKey } from '@plystra/db';
import { insertSpace } from '@plystra/db/testing';
import { startCore, type CoreTestApp } from '../core-test-app';
import { actorOf, alice, bob, grantAdmin, insertApiKey, insertResource, login, withKey } from './authz-test-kit';

const ACME = 'space_acme';
const approve = (id: string, action = 'approve') => ({ resource_type: 'invoice', resource_id: id, action });

interface Item {
  id: string;
  created_at: string;
  [k: string]: unknown;
}

/** core.md §4.4: the append-only audit log behind every decision, and its read-only query API. */
describe('audit of decisions and the audit query API (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  let key: string;
  let admin: string;
  const seen: Record<string, { id: string; request_id: string }> = {};
  let betweenAt: string;

  beforeAll(async () => {
    core = await startCore();
    const ds = core.db.dataSource;
    key = await insertApiKey(ds, { level: 'space', spaceId: ACME });
    await grantAdmin(ds, 'user_alice', 'instance_super_admin', '*');
    admin = await login(core, 'alice@example.com');
    const decide = async (name: string, body: object) => {
      const res = await withKey(core, key, 'check', body).set('X-Request-ID', `req-audit-${name}`).expect(200);
      seen[name] = { id: res.body.data.audit_log_id, request_id: res.body.request_id };
    };
    await decide('aliceAllow', { actor: alice, ...approve('invoice_001') });
    await decide('aliceDeny', { actor: alice, ...approve('invoice_002') });
    await new Promise((r) => setTimeout(r, 20));
    betweenAt = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await decide('bobAllow', { actor: bob, ...approve('invoice_001') });
    await decide('revoked', { actor: actorOf('user_alice', 'um_alice_finance_reviewer_revoked'), ...approve('invoice_001') });
    await decide('contract', { actor: alice, resource_type: 'contract', resource_id: 'c1', action: 'approve' });
  });
  afterAll(() => core.close());

  const get = (path: string) => core.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${admin}`);
  const ids = (res: { body: { data: Item[] } }) => res.body.data.map((i) => i.id);

  it('the database refuses to update, delete or truncate audit rows', async () => {
    const ds = core.db.dataSource;
    await expect(ds.query(`UPDATE audit_logs SET decision = 'allow' WHERE id = $1`, [seen.aliceDeny.id])).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM audit_logs WHERE id = $1`, [seen.aliceDeny.id])).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE audit_logs`)).rejects.toThrow(/append-only/);
    const [row] = await ds.query(`SELECT decision FROM audit_logs WHERE id = $1`, [seen.aliceDeny.id]);
    expect(row.decision).toBe('deny');
  });

  it('offers no route that changes the log', async () => {
    for (const method of ['delete', 'patch', 'put'] as const) {
      const res = await core.http[method](`/api/v1/audit/logs/${seen.aliceDeny.id}`).set('Authorization', `Bearer ${admin}`).send({});
      expect([404, 405]).toContain(res.status);
    }
    await core.http.post('/api/v1/audit/logs').set('Authorization', `Bearer ${admin}`).send({}).expect(405);
  });

  it('lists newest first without traces, and returns one log with its trace', async () => {
    const res = await get('/audit/logs').expect(200);
    const items: Item[] = res.body.data;
    expect(ids(res).slice(0, 5)).toEqual([seen.contract.id, seen.revoked.id, seen.bobAllow.id, seen.aliceDeny.id, seen.aliceAllow.id]);
    expect(Object.keys(items[0]).sort()).toEqual(
      ['action', 'actor_member_id', 'actor_user_id', 'actor_user_member_id', 'created_at', 'decision', 'deny_code', 'id', 'ip_address', 'request_id', 'resource_id', 'resource_type', 'space_id', 'user_agent'].sort(),
    );
    expect(items[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const one = await get(`/audit/logs/${seen.bobAllow.id}`).expect(200);
    expect(one.body.data).toMatchObject({ id: seen.bobAllow.id, actor_user_id: 'user_bob', decision: 'allow', trace: { trace_id: `trc_${seen.bobAllow.id.slice(6)}` } });
    expect((await get('/audit/logs/audit_nope').expect(404)).body.error.code).toBe('AUDIT_LOG_NOT_FOUND');
  });

  it('answers odd ids and queries with 4xx, never 5xx', async () => {
    for (const path of ['/audit/logs/%00', '/audit/logs/%E2%80%A8', `/audit/logs/${'x'.repeat(5000)}`, '/spaces/%00/audit-logs', `/spaces/${ACME}/audit-logs/%00`, '/audit/logs?actor_user_id=%00', '/audit/logs?limit=abc', '/audit/logs?decision=allow&decision=deny']) {
      const res = await get(path);
      expect({ path, status: res.status < 500 && res.status >= 400 }).toEqual({ path, status: true });
    }
  });

  it('filters by every documented field', async () => {
    const cases: Array<[string, string[]]> = [
      [`actor_user_id=user_bob`, [seen.bobAllow.id]],
      [`actor_user_member_id=um_alice_finance_reviewer_revoked`, [seen.revoked.id]],
      [`actor_member_id=member_finance_reviewer&decision=allow`, [seen.bobAllow.id, seen.aliceAllow.id]],
      [`resource_type=contract`, [seen.contract.id]],
      [`resource_type=invoice&resource_id=invoice_002`, [seen.aliceDeny.id]],
      [`decision=deny`, [seen.contract.id, seen.revoked.id, seen.aliceDeny.id]],
      [`deny_code=USER_MEMBER_REVOKED`, [seen.revoked.id]],
      [`request_id=req-audit-bobAllow`, [seen.bobAllow.id]],
      [`space_id=${ACME}&created_at_to=${encodeURIComponent(betweenAt)}`, [seen.aliceDeny.id, seen.aliceAllow.id]],
      [`space_id=${ACME}&created_at_from=${encodeURIComponent(betweenAt)}`, [seen.contract.id, seen.revoked.id, seen.bobAllow.id]],
      [`space_id=space_nope`, []],
    ];
    for (const [query, expected] of cases) {
      const res = await get(`/audit/logs?${query}`).expect(200);
      expect({ query, ids: ids(res) }).toEqual({ query, ids: expected });
    }
    for (const bad of ['created_at_from=yesterday', 'created_at_to=2024-13-01T00:00:00Z', 'decision=maybe', 'limit=0', 'limit=500', 'cursor=%%%', 'unknown=1']) {
      const res = await get(`/audit/logs?${bad}`);
      expect({ bad, status: res.status, code: res.body.error?.code }).toEqual({ bad, status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('pages with a real keyset cursor', async () => {
    const all = ids(await get(`/audit/logs?space_id=${ACME}`).expect(200));
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: Item[]; pagination: { cursor: string | null; has_more: boolean } } } = await get(`/audit/logs?space_id=${ACME}&limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      expect(res.body.pagination.has_more).toBe(res.body.pagination.cursor !== null);
      paged.push(...ids(res));
      cursor = res.body.pagination.cursor;
    } while (cursor);
    expect(paged).toEqual(all);
    expect(all.length).toBeGreaterThanOrEqual(5);
  });

  it('has space-scoped twins, and scopes every read to the caller’s spaces', async () => {
    const ds = core.db.dataSource;
    await insertSpace(ds, { id: 'space_beta', name: 'Beta' });
    const inSpace = await get(`/spaces/${ACME}/audit-logs?decision=deny`).expect(200);
    expect(ids(inSpace)).toEqual([seen.contract.id, seen.revoked.id, seen.aliceDeny.id]);
    expect((await get(`/spaces/${ACME}/audit-logs/${seen.aliceAllow.id}`).expect(200)).body.data.trace.decision).toBe('allow');
    expect((await get(`/spaces/space_beta/audit-logs/${seen.aliceAllow.id}`).expect(404)).body.error.code).toBe('AUDIT_LOG_NOT_FOUND');
    expect((await get(`/spaces/space_nope/audit-logs`).expect(404)).body.error.code).toBe('SPACE_NOT_FOUND');
    await get(`/spaces/${ACME}/audit-logs?space_id=space_beta`).expect(400);

    const reader = await insertApiKey(ds, { level: 'space', spaceId: ACME, permissionKeys: ['audit:read'] });
    const as = (path: string) => core.http.get(`/api/v1${path}`).set('X-Plystra-API-Key', reader);
    await as(`/audit/logs?space_id=${ACME}`).expect(200);
    await as(`/audit/logs/${seen.aliceAllow.id}`).expect(200);
    await as(`/spaces/${ACME}/audit-logs`).expect(200);
    for (const path of ['/audit/logs', '/audit/logs?space_id=space_beta', '/spaces/space_beta/audit-logs', '/audit/logs/audit_nope']) {
      expect({ path, status: (await as(path)).status }).toEqual({ path, status: 403 });
    }
    await core.http.get('/api/v1/audit/logs').expect(401);
    const checker = await insertApiKey(ds, { level: 'instance', permissionKeys: ['authz:check'] });
    await core.http.get('/api/v1/audit/logs').set('X-Plystra-API-Key', checker).expect(403);
  });

  it('traces carry snapshots, never a secret-looking key, even when stored metadata has one', async () => {
    const ds = core.db.dataSource;
    const secretive = await insertResource(ds, ACME, { groupId: 'group_finance_apac' });
    await ds.query(`UPDATE resources SET metadata = '{"api_key": "sk-live-123", "password": "hunter2"}' WHERE id = $1`, [secretive]);
    const res = await withKey(core, key, 'check', { actor: alice, ...approve(secretive) }).expect(200);
    expect(res.body.data.allow).toBe(true);
    const rows: Array<{ trace: unknown }> = await ds.query(`SELECT trace FROM audit_logs`);
    for (const row of rows) expect(findSecretLookingKey(row.trace)).toBeNull();
    const [row] = await ds.query(`SELECT trace FROM audit_logs WHERE id = $1`, [res.body.data.audit_log_id]);
    expect(JSON.stringify(row.trace)).not.toContain('sk-live-123');
    expect(row.trace.actor.user).toEqual({ id: 'user_alice', email: 'alice@example.com', status: 'active' });
    expect(row.trace.target.group).toMatchObject({ id: 'group_finance_apac', path: 'finance.apac' });
  });

  it('100 concurrent checks each commit exactly one audit row whose id is the answer’s', async () => {
    const bodies = Array.from({ length: 100 }, (_, i) => ({ actor: i % 2 ? bob : alice, ...approve(i % 3 ? 'invoice_001' : 'invoice_002') }));
    const answers = await Promise.all(bodies.map((body, i) => withKey(core, key, 'check', body).set('X-Request-ID', `req-concurrent-${i}`)));
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(200));
    const answerIds = answers.map((a) => a.body.data.audit_log_id as string);
    expect(new Set(answerIds).size).toBe(100);
    const rows: Array<{ id: string; request_id: string; decision: string; actor_user_id: string }> = await core.db.dataSource.query(
      `SELECT id, request_id, decision, actor_user_id FROM audit_logs WHERE request_id LIKE 'req-concurrent-%'`,
    );
    expect(rows).toHaveLength(100);
    const byId = new Map(rows.map((r) => [r.id, r]));
    answers.forEach((a, i) => {
      expect(byId.get(answerIds[i])).toEqual({ id: answerIds[i], request_id: `req-concurrent-${i}`, decision: a.body.data.decision, actor_user_id: i % 2 ? 'user_bob' : 'user_alice' });
    });
  });

  it('answers checks that share one context read exactly as it answers each alone; one refused input fails alone', async () => {
    const questions = [
      { actor: alice, ...approve('invoice_001') },
      { actor: alice, ...approve('invoice_002') },
      { actor: bob, ...approve('invoice_001') },
      { actor: actorOf('user_alice', 'um_alice_finance_reviewer_revoked'), ...approve('invoice_001') },
      { actor: alice, resource_type: 'contract', resource_id: 'c1', action: 'approve' },
      { actor: bob, ...approve('invoice_404') },
    ];
    const outcome = (res: { status: number; body: { data?: { decision: string; deny_code: string | null }; error?: { code: string } } }) =>
      res.status === 200 ? `${res.body.data!.decision} ${res.body.data!.deny_code}` : `${res.status} ${res.body.error!.code}`;
    const alone: string[] = [];
    for (const body of questions) alone.push(outcome(await withKey(core, key, 'check', body)));
    expect(new Set(alone).size).toBeGreaterThan(3);

    // The same questions, many at once (they travel together in the context reads), with NUL bytes among them.
    const refused = (i: number) => i % 7 === 3;
    const burst = Array.from({ length: 90 }, (_, i) => (refused(i) ? { actor: alice, ...approve('invoice_\u0000') } : questions[i % questions.length]));
    const answers = await Promise.all(burst.map((body) => withKey(core, key, 'check', body)));
    answers.forEach((res, i) => {
      if (refused(i)) expect(res.status).toBe(400);
      else expect(outcome(res)).toBe(alone[i % questions.length]);
    });
  });

  it('answers 503 and no decision when the audit row cannot be written', async () => {
    const ds = core.db.dataSource;
    await ds.query(`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`);
    await ds.query(`CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()`);
    try {
      const res = await withKey(core, key, 'check', { actor: alice, ...approve('invoice_001') }).expect(503);
      expect(res.body.error.code).toBe('AUDIT_UNAVAILABLE');
      expect(res.body.data).toBeUndefined();
      expect(res.headers['x-plystra-trace-id']).toBeUndefined();
      const batch = await withKey(core, key, 'check-batch', { checks: [{ actor: alice, ...approve('invoice_001') }] }).expect(503);
      expect(batch.body.error.code).toBe('AUDIT_UNAVAILABLE');
    } finally {
      await ds.query(`DROP TRIGGER test_refuse_audit ON audit_logs; DROP FUNCTION test_refuse_audit()`);
    }
    await withKey(core, key, 'check', { actor: alice, ...approve('invoice_001') }).expect(200);
  });
});

describe('AUDIT_WRITE_MODE', () => {
  it.each([
    ['deny_only', { allow: 0, deny: 1 }],
    ['disabled_for_dev', { allow: 0, deny: 0 }],
    ['always', { allow: 1, deny: 1 }],
  ])('%s', async (mode, expected) => {
    const core = await startCore({ env: { AUDIT_WRITE_MODE: mode } });
    try {
      const key = await insertApiKey(core.db.dataSource, { level: 'space', spaceId: ACME });
      const allow = await withKey(core, key, 'check', { actor: alice, ...approve('invoice_001') }).expect(200);
      const deny = await withKey(core, key, 'check', { actor: alice, ...approve('invoice_002') }).expect(200);
      const count = async (id: string) => (await core.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE id = $1`, [id]))[0].n;
      expect({ allow: await count(allow.body.data.audit_log_id), deny: await count(deny.body.data.audit_log_id) }).toEqual(expected);
    } finally {
      await core.close();
    }
  });
});
