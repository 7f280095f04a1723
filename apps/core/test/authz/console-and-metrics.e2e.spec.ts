import { startCore, type CoreTestApp } from '../core-test-app';
import { alice, grantAdmin, insertApiKey, login, withKey } from './authz-test-kit';

const approve = (id: string) => ({ actor: alice, resource_type: 'invoice', resource_id: id, action: 'approve' });

describe('GET /console/overview', () => {
  let core: CoreTestApp;
  beforeAll(async () => {
    core = await startCore();
  });
  afterAll(() => core.close());

  it('counts what the instance holds and lists the ten newest audit rows (instance:read)', async () => {
    const ds = core.db.dataSource;
    const key = await insertApiKey(ds, { level: 'space', spaceId: 'space_acme' });
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) answers.push((await withKey(core, key, 'check', approve(i % 2 ? 'invoice_001' : 'invoice_002')).expect(200)).body.data.audit_log_id);
    const reader = await insertApiKey(ds, { level: 'instance', permissionKeys: ['instance:read'] });
    const res = await core.http.get('/api/v1/console/overview').set('X-Plystra-API-Key', reader).expect(200);
    const { counts, recent_audit_logs: recent } = res.body.data;
    expect(counts).toEqual({
      spaces: 1, users: 2, members: 2, user_member_bindings: 4, groups: 5, roles: 1, permissions: 1, resource_types: 1, resources: 2,
      audit_logs: Number((await ds.query(`SELECT count(*) AS n FROM audit_logs`))[0].n),
    });
    expect(counts.audit_logs).toBeGreaterThanOrEqual(12);
    expect(recent.map((r: { id: string }) => r.id)).toEqual(answers.slice(-10).reverse());
    expect(Object.keys(recent[0]).sort()).toEqual(['action', 'actor_member_id', 'actor_user_id', 'created_at', 'decision', 'deny_code', 'id', 'resource_id', 'resource_type'].sort());
    await core.http.get('/api/v1/console/overview').set('X-Plystra-API-Key', key).expect(403);
    await core.http.get('/api/v1/console/overview').expect(401);
  });
});

describe('GET /metrics', () => {
  it('is 404 FEATURE_DISABLED unless METRICS_ENABLED', async () => {
    const core = await startCore({ seed: false });
    try {
      const res = await core.http.get('/metrics').set('X-Plystra-Metrics-Token', 'anything').expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.error.code).toBe('FEATURE_DISABLED');
      await core.http.get('/api/v1/metrics').expect(404);
    } finally {
      await core.close();
    }
  });

  describe('when enabled', () => {
    const TOKEN = 'metrics-token-0123456789abcdef0123456789';
    let core: CoreTestApp;
    beforeAll(async () => {
      core = await startCore({ env: { METRICS_ENABLED: 'true', METRICS_TOKEN: TOKEN } });
    });
    afterAll(() => core.close());

    it('needs the metrics token or a credential holding metrics:read', async () => {
      expect((await core.http.get('/metrics').expect(401)).body.error.code).toBe('METRICS_TOKEN_REQUIRED');
      expect((await core.http.get('/metrics').set('X-Plystra-Metrics-Token', 'wrong').expect(401)).body.error.code).toBe('METRICS_TOKEN_REQUIRED');
      await core.http.get('/metrics').set('X-Plystra-Metrics-Token', TOKEN).expect(200);
      await core.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      const ds = core.db.dataSource;
      const metricsKey = await insertApiKey(ds, { level: 'instance', permissionKeys: ['metrics:read'] });
      await core.http.get('/metrics').set('X-Plystra-API-Key', metricsKey).expect(200);
      const spaceKey = await insertApiKey(ds, { level: 'space', spaceId: 'space_acme', permissionKeys: ['metrics:read'] });
      expect((await core.http.get('/metrics').set('X-Plystra-API-Key', spaceKey).expect(403)).body.error.code).toBe('ADMIN_PERMISSION_REQUIRED');
      const bobToken = await login(core, 'bob@example.com');
      await core.http.get('/metrics').set('Authorization', `Bearer ${bobToken}`).expect(403);
      await grantAdmin(ds, 'user_bob', 'instance_admin', 'metrics:read');
      await core.http.get('/metrics').set('Authorization', `Bearer ${bobToken}`).expect(200);
    });

    it('counts decisions, denies by code and audit rows in the Prometheus text format', async () => {
      const key = await insertApiKey(core.db.dataSource, { level: 'space', spaceId: 'space_acme' });
      const scrape = async () => (await core.http.get('/metrics').set('X-Plystra-Metrics-Token', TOKEN).expect(200)).text;
      const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"()]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      const before = await scrape();
      await withKey(core, key, 'check', approve('invoice_001')).expect(200);
      await withKey(core, key, 'check', approve('invoice_002')).expect(200);
      await withKey(core, key, 'check-batch', { checks: [approve('invoice_002'), approve('invoice_001')] }).expect(200);
      const res = await core.http.get('/metrics').set('X-Plystra-Metrics-Token', TOKEN).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
      const after = res.text;
      expect(after).toContain('# TYPE authz_checks_total counter');
      expect(value(after, 'authz_checks_total{decision="allow"}') - value(before, 'authz_checks_total{decision="allow"}')).toBe(2);
      expect(value(after, 'authz_checks_total{decision="deny"}') - value(before, 'authz_checks_total{decision="deny"}')).toBe(2);
      expect(value(after, 'authz_denies_total{deny_code="SCOPE_OUT_OF_BOUNDS"}') - value(before, 'authz_denies_total{deny_code="SCOPE_OUT_OF_BOUNDS"}')).toBe(2);
      expect(value(after, 'audit_logs_written_total') - value(before, 'audit_logs_written_total')).toBe(4);
    });
  });
});
