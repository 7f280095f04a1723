import { type ContractTestServer, startContractTestServer } from '@plystra/email-contract/testing';
import { type DataSource } from 'typeorm';
import { createDataSource, runMigrations } from '@plystra/db';
import { allMigrationSets } from '@plystra/migrations';
import { seedDemo } from '../apps/core/src/demo/demo-seed';
import { type TestDatabase, apiKey, freshDatabase, passwordUser, superAdmin, writePluginSettings } from './support/db';
import { SECRETS, coreEnv, pluginEnv } from './support/env';
import { recordFigure } from './support/figures';
import { type Answer, call, client, codeOf, concurrently, fromIp, issuedSecrets, statusCounts } from './support/http';
import { mailTo, secretsInMail } from './support/mail';
import { scanProcessOutputs } from './support/scan';
import { type OwnCluster, createDatabase, startOwnCluster } from './support/postgres';
import { type RunningService, sleep, startService, stopAll, waitFor } from './support/services';

/**
 * Area 3: faults. PostgreSQL stopped under a running Core, services killed with SIGKILL under
 * load, and an email provider that hangs, fails or answers garbage. Nothing acknowledged may be
 * lost, nothing may be half-written, and nothing may be answered that was not recorded.
 */

const PASSWORD = 'faults correct horse battery staple';
let acknowledged = 0;
let lost = 0;
let headlineOk = true;

function acknowledge(count: number, missing: number, ok: boolean) {
  acknowledged += count;
  lost += missing;
  headlineOk &&= ok && missing === 0;
  recordFigure('faults', 'headline', `${lost} lost audit rows of ${acknowledged} acknowledged`, headlineOk);
}

interface CheckResult extends Answer {
  error?: string;
}

/** Runs authorization checks in `loops` loops until told to stop, keeping every outcome (network failures too). */
function checkLoad(base: () => string, apiKeyPlaintext: string, loops: number) {
  const results: CheckResult[] = [];
  let stop = false;
  const body = { actor: { user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' }, resource_type: 'invoice', resource_id: 'invoice_001', action: 'approve' };
  const loop = async () => {
    while (!stop) {
      const sentAt = performance.now();
      try {
        results.push(await call(base(), 'POST', '/api/v1/authz/check', { body, headers: { 'x-plystra-api-key': apiKeyPlaintext }, timeoutMs: 15_000 }));
      } catch (error) {
        results.push({ status: 0, headers: {}, text: '', body: undefined, sentAt, answeredAt: performance.now(), error: String(error) });
        await sleep(20);
      }
    }
  };
  const running = Array.from({ length: loops }, loop);
  return {
    results,
    async stop() {
      stop = true;
      await Promise.all(running);
    },
  };
}

/** How many of the acknowledged (200) checks have their audit row. */
async function auditedOf(ds: DataSource, results: CheckResult[]): Promise<{ acked: string[]; found: number }> {
  const acked = results.filter((r) => r.status === 200).map((r) => r.body.data.audit_log_id as string);
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM audit_logs WHERE id = ANY($1)`, [acked]);
  return { acked, found: n };
}

describe('faults: PostgreSQL stopped for 10 s under a check load on a running Core', () => {
  let cluster: OwnCluster;
  let ds: DataSource;
  let core: RunningService;
  let key: { plaintext: string };

  beforeAll(async () => {
    cluster = await startOwnCluster('pg-fault');
    await createDatabase(cluster.adminUrl, 'plystra_fault');
    const url = cluster.url('plystra_fault');
    for (const set of allMigrationSets) await runMigrations(url, set);
    ds = createDataSource({ url, poolSize: 2 });
    await ds.initialize();
    await seedDemo(ds);
    await superAdmin({ dataSource: ds });
    key = await apiKey({ dataSource: ds }, ['authz:check']);
    await ds.destroy();
    core = await startService('core', coreEnv(url), { name: 'fault-core' });
  });

  afterAll(async () => {
    await core?.stop();
    if (ds?.isInitialized) await ds.destroy();
    await cluster?.destroy();
  });

  it('answers /ready 503 while the database is down, recovers on its own within 5 s of its return, and every 200 has its audit row', async () => {
    const pid = core.pid;
    const ready: Array<{ at: number; status: number; code?: string }> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const at = performance.now();
        try {
          const res = await call(core.url, 'GET', '/api/v1/ready', { timeoutMs: 8_000 });
          ready.push({ at, status: res.status, code: codeOf(res) });
        } catch {
          ready.push({ at, status: 0 });
        }
        await sleep(200);
      }
    })();
    const load = checkLoad(() => core.url, key.plaintext, 6);
    await sleep(2_000);

    const stopping = performance.now();
    await cluster.stop();
    const down = performance.now();
    await sleep(10_000);
    const restarting = performance.now();
    await cluster.start();
    const up = performance.now();
    // Recovery: /ready 200 and a check answered 200 again, with no restart of Core.
    const recovered = await waitFor(
      async () => (await call(core.url, 'GET', '/api/v1/ready').catch(() => ({ status: 0 }))).status === 200 && load.results.some((r) => r.status === 200 && r.sentAt > up),
      (ok) => ok,
      15_000,
      50,
    );
    const recoveredAt = performance.now();
    await sleep(2_000);
    await load.stop();
    polling = false;
    await poller;

    ds = createDataSource({ url: cluster.url('plystra_fault'), poolSize: 2 });
    await ds.initialize();
    const { acked, found } = await auditedOf(ds, load.results);
    const whileDown = ready.filter((r) => r.at > down + 100 && r.at < restarting);
    const answeredWhileDown = load.results.filter((r) => r.sentAt > down + 100 && r.answeredAt < restarting);
    const statuses = statusCounts(load.results);
    const recoverySeconds = (recoveredAt - up) / 1000;
    const ok = recovered && recoverySeconds <= 5 && core.alive() && core.pid === pid && found === acked.length && whileDown.every((r) => r.status === 503) && !statuses[500];
    recordFigure('faults', 'db-down', `PostgreSQL down ${((restarting - stopping) / 1000).toFixed(1)} s: /ready 503 on ${whileDown.filter((r) => r.status === 503).length}/${whileDown.length} polls, ${answeredWhileDown.filter((r) => r.status === 200).length} checks answered 200 while down, recovered ${recoverySeconds.toFixed(1)} s after it returned with no restart; checks ${JSON.stringify(statuses)}`, ok);
    acknowledge(acked.length, acked.length - found, ok);

    expect(recovered).toBe(true);
    expect(recoverySeconds).toBeLessThanOrEqual(5);
    expect(core.alive()).toBe(true);
    expect(core.pid).toBe(pid);
    expect(whileDown.length).toBeGreaterThanOrEqual(10);
    expect(whileDown.every((r) => r.status === 503 && r.code === 'NOT_READY')).toBe(true);
    expect(answeredWhileDown.filter((r) => r.status === 200)).toEqual([]);
    expect(answeredWhileDown.every((r) => r.status === 503)).toBe(true);
    expect(Object.keys(statuses).filter((s) => s !== '200' && s !== '503')).toEqual([]);
    expect(acked.length).toBeGreaterThan(100);
    expect(found).toBe(acked.length);
  });
});

describe('faults: kill -9 under load, on the shared test PostgreSQL', () => {
  let db: TestDatabase;
  let provider: ContractTestServer;
  let key: { plaintext: string };
  let admin: { authorization: string };

  beforeAll(async () => {
    db = await freshDatabase();
    admin = await superAdmin(db);
    key = await apiKey(db, ['authz:check']);
    provider = await startContractTestServer({ token: SECRETS.capabilityToken });
    await writePluginSettings(db, {
      public_registration_enabled: true, trusted_proxy_cidrs: ['127.0.0.1/32'], email_delivery_mode: 'capability', email_capability_url: provider.url,
      email_from_address: 'auth@example.test', server_public_url: 'https://auth.example.test', email_capability_timeout: '300ms',
    });
  });

  afterAll(async () => {
    await stopAll();
    if (provider) {
      const secrets = new Map<string, string>([...Object.entries(SECRETS).map(([name, value]): [string, string] => [value, name]), ...issuedSecrets, [key.plaintext, 'API key'], [PASSWORD, 'password']]);
      for (const secret of secretsInMail(provider)) secrets.set(secret, 'emailed code or link');
      scanProcessOutputs('faults', 'faults processes (killed, restarted, starved of their database)', secrets);
    }
    await provider?.close();
    await db?.drop();
  });

  /** Users made by registration must have all of it or none: member, binding, session, audit row. */
  async function halfWritten(prefix: string) {
    const rows: Array<{ id: string; bindings: number; members: number; sessions: number; audits: number }> = await db.dataSource.query(
      `SELECT u.id,
              (SELECT count(*)::int FROM user_members um WHERE um.user_id = u.id) AS bindings,
              (SELECT count(*)::int FROM user_members um JOIN members m ON m.id = um.member_id WHERE um.user_id = u.id) AS members,
              (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id) AS sessions,
              (SELECT count(*)::int FROM audit_logs a WHERE a.actor_user_id = u.id AND a.action = 'auth.register') AS audits
         FROM users u WHERE u.email LIKE $1`,
      [`${prefix}%`],
    );
    const [{ orphans }] = await db.dataSource.query(
      `SELECT count(*)::int AS orphans FROM members m WHERE m.space_id = 'space_default' AND NOT EXISTS (SELECT 1 FROM user_members um WHERE um.member_id = m.id)`,
    );
    const broken = rows.filter((r) => r.bindings !== 1 || r.members !== 1 || r.sessions !== 1 || r.audits !== 1);
    return { users: rows.length, broken, orphans: Number(orphans) };
  }

  /** Registers unique emails in `loops` loops until stopped; keeps what was acknowledged and what was in flight. */
  function registrationLoad(base: () => string, prefix: string, loops: number, extra: Record<string, string> = {}) {
    const acknowledgedEmails: string[] = [];
    const inFlight = new Set<string>();
    const failures: Record<string, number> = {};
    let stop = false;
    let n = 0;
    const loop = async () => {
      while (!stop) {
        const i = n++;
        const email = `${prefix}${i}@example.com`;
        inFlight.add(email);
        try {
          const res = await call(base(), 'POST', '/api/v1/auth/register', { body: { email, password: PASSWORD, ...extra }, headers: fromIp(1000 + i) });
          inFlight.delete(email);
          if (res.status === 201) acknowledgedEmails.push(email);
          else failures[res.status] = (failures[res.status] ?? 0) + 1;
        } catch {
          failures.network = (failures.network ?? 0) + 1;
          await sleep(50);
        }
      }
    };
    const running = Array.from({ length: loops }, loop);
    return {
      acknowledgedEmails,
      inFlight,
      failures,
      async stop() {
        stop = true;
        await Promise.all(running);
      },
    };
  }

  it('the plugin killed with SIGKILL mid-registrations leaves no half-written account, loses nothing acknowledged, and serves again after a restart', async () => {
    let plugin = await startService('plugin', pluginEnv(db.url), { name: 'kill-plugin' });
    const load = registrationLoad(() => plugin.url, 'kill-plugin-', 6);
    await waitFor(async () => load.acknowledgedEmails.length, (n) => n >= 10, 30_000);
    await plugin.kill('SIGKILL');
    const inFlightAtKill = [...load.inFlight];
    plugin = await startService('plugin', pluginEnv(db.url), { name: 'kill-plugin-restarted' });
    await sleep(1_000);
    await load.stop();

    const { users, broken, orphans } = await halfWritten('kill-plugin-');
    const present = new Set((await db.dataSource.query(`SELECT email FROM users WHERE email LIKE 'kill-plugin-%'`)).map((r: { email: string }) => r.email));
    const missing = load.acknowledgedEmails.filter((e) => !present.has(e));
    // An address whose registration was cut off is either complete (409 now) or absent (201 now).
    const retried = await concurrently(inFlightAtKill.length, (i) => call(plugin.url, 'POST', '/api/v1/auth/register', { body: { email: inFlightAtKill[i], password: PASSWORD }, headers: fromIp(5000 + i) }));
    const retriedOk = retried.every((r, i) => (present.has(inFlightAtKill[i]) ? r.status === 409 : r.status === 201));
    const after = await halfWritten('kill-plugin-');
    const ok = broken.length === 0 && orphans === 0 && missing.length === 0 && retriedOk && after.broken.length === 0;
    recordFigure('faults', 'kill-plugin', `kill -9 of the plugin under registrations: ${broken.length} half-written of ${users} accounts, ${missing.length} lost of ${load.acknowledgedEmails.length} acknowledged, ${inFlightAtKill.length} cut off in flight (each complete or absent)`, ok);
    expect(load.acknowledgedEmails.length).toBeGreaterThanOrEqual(10);
    expect(broken).toEqual([]);
    expect(orphans).toBe(0);
    expect(missing).toEqual([]);
    expect(retried.map((r) => r.status)).toEqual(inFlightAtKill.map((e) => (present.has(e) ? 409 : 201)));
    expect(after.broken).toEqual([]);
    await plugin.stop();
  });

  it('Core killed with SIGKILL mid-load (checks, member creation, registrations) loses no acknowledged audit row and leaves nothing half-written', async () => {
    let core = await startService('core', coreEnv(db.url), { name: 'kill-core' });
    const checks = checkLoad(() => core.url, key.plaintext, 3);
    const registrations = registrationLoad(() => core.url, 'kill-core-', 2, { registration_token: SECRETS.registrationToken });
    const members: string[] = [];
    let stopMembers = false;
    const memberLoop = (async () => {
      let i = 0;
      while (!stopMembers) {
        const res = await client(core.url, admin.authorization).post('/api/v1/spaces/space_acme/members', { display_name: `kill-member-${i++}` }).catch(() => null);
        if (res?.status === 201) members.push(res.body.data.id);
        if (!res) await sleep(50);
      }
    })();
    await waitFor(async () => checks.results.filter((r) => r.status === 200).length + registrations.acknowledgedEmails.length, (n) => n >= 100, 30_000);
    await core.kill('SIGKILL');
    core = await startService('core', coreEnv(db.url), { name: 'kill-core-restarted' });
    await sleep(1_000);
    await checks.stop();
    await registrations.stop();
    stopMembers = true;
    await memberLoop;

    const { acked, found } = await auditedOf(db.dataSource, checks.results);
    const { users, broken, orphans } = await halfWritten('kill-core-');
    const [{ unaudited }] = await db.dataSource.query(
      `SELECT count(*)::int AS unaudited FROM members m WHERE m.display_name LIKE 'kill-member-%'
          AND NOT EXISTS (SELECT 1 FROM audit_logs a WHERE a.resource_id = m.id AND a.action = 'member.created')`,
    );
    const present = new Set((await db.dataSource.query(`SELECT id FROM members WHERE display_name LIKE 'kill-member-%'`)).map((r: { id: string }) => r.id));
    const lostMembers = members.filter((id) => !present.has(id));
    const ok = found === acked.length && broken.length === 0 && orphans === 0 && unaudited === 0 && lostMembers.length === 0;
    recordFigure('faults', 'kill-core', `kill -9 of Core under load: ${acked.length - found} lost audit rows of ${acked.length} acknowledged checks, ${broken.length} half-written of ${users} registrations, ${unaudited} members without their audit row, ${lostMembers.length} lost of ${members.length} acknowledged members`, ok);
    acknowledge(acked.length, acked.length - found, ok);
    expect(acked.length).toBeGreaterThan(20);
    expect(found).toBe(acked.length);
    expect(broken).toEqual([]);
    expect(orphans).toBe(0);
    expect(unaudited).toBe(0);
    expect(lostMembers).toEqual([]);
    // The restarted Core answers checks again.
    expect((await call(core.url, 'POST', '/api/v1/authz/check', { body: { actor: { user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' }, resource_type: 'invoice', resource_id: 'invoice_001', action: 'approve' }, headers: { 'x-plystra-api-key': key.plaintext } })).status).toBe(200);
  });

  it('a provider that times out, answers 500 or answers garbage: 502, the challenge failed, and no session leaked', async () => {
    const plugin = await startService('plugin', pluginEnv(db.url), { name: 'provider-faults-plugin' });
    const outcomes: string[] = [];
    let leaked = 0;
    for (const behaviour of ['hang', 'error-500', 'garbage'] as const) {
      for (const method of ['email-code', 'magic-link'] as const) {
        for (const existing of [true, false]) {
          const email = `provider-${behaviour}-${method}-${existing ? 'user' : 'new'}@example.com`;
          const user = existing ? await passwordUser(db, email, null) : null;
          provider.setBehaviour(behaviour);
          const sent = await call(plugin.url, 'POST', `/api/v1/auth/${method}`, { body: { email }, headers: fromIp(9000 + outcomes.length) });
          const [challenge] = await db.dataSource.query(`SELECT id, status FROM plugin_auth_challenges WHERE email = $1`, [email]);
          const mails = mailTo(provider, email);
          const keys = new Set(provider.requests.filter((r) => (r.body as { to?: Array<{ address: string }> })?.to?.[0]?.address === email).map((r) => (r.body as { idempotency_key: string }).idempotency_key));
          // What the failed email would have carried must not work either.
          provider.setBehaviour('accept');
          const text = mails.at(-1)?.text ?? '';
          const secret = method === 'email-code' ? /code is (\d{6})/.exec(text)?.[1] : /token=(ply_ml_[0-9a-f]{64})/.exec(text)?.[1];
          const use = method === 'email-code'
            ? await call(plugin.url, 'POST', '/api/v1/auth/email-code/verify', { body: { email, code: secret }, headers: fromIp(9500 + outcomes.length) })
            : await call(plugin.url, 'POST', '/api/v1/auth/magic-link/consume', { body: { token: secret }, headers: fromIp(9500 + outcomes.length) });
          const [{ sessions }] = await db.dataSource.query(`SELECT count(*)::int AS sessions FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, [email]);
          const [{ users }] = await db.dataSource.query(`SELECT count(*)::int AS users FROM users WHERE email = $1`, [email]);
          leaked += sessions;
          outcomes.push(`${behaviour}/${method}/${existing ? 'user' : 'new'}: ${sent.status} ${codeOf(sent)}, ${challenge?.status}, ${mails.length} attempts, use ${use.status}`);
          expect({ email, status: sent.status, code: codeOf(sent) }).toEqual({ email, status: 502, code: 'EMAIL_DELIVERY_FAILED' });
          expect(challenge.status).toBe('failed');
          expect(mails).toHaveLength(3);
          expect(keys).toEqual(new Set([challenge.id]));
          expect(secret).toBeDefined();
          expect(use.status).toBe(401);
          expect(sessions).toBe(0);
          expect(users).toBe(user ? 1 : 0);
        }
      }
    }
    recordFigure('faults', 'provider', `provider hang/500/garbage: ${outcomes.length} sends → ${outcomes.filter((o) => o.includes(': 502 EMAIL_DELIVERY_FAILED, failed, 3 attempts, use 401')).length} × 502 with the challenge failed after 3 attempts and its secret refused, ${leaked} sessions leaked`, leaked === 0);
    await plugin.stop();
  });

  it('a hanging provider holds no database connection: a plugin with a 2-connection pool keeps answering while 6 sends hang', async () => {
    const plugin = await startService('plugin', pluginEnv(db.url, { DATABASE_POOL_SIZE: '2' }), { name: 'small-pool-plugin' });
    await writePluginSettings(db, { email_capability_timeout: '1500ms' });
    await sleep(1_500);
    const emails = Array.from({ length: 6 }, (_, i) => `hang-${i}@example.com`);
    for (const email of emails) await passwordUser(db, email, null);
    provider.setBehaviour('hang');
    const before = provider.requests.length;
    const sends = concurrently(6, (i) => call(plugin.url, 'POST', '/api/v1/auth/email-code', { body: { email: emails[i] }, headers: fromIp(7000 + i) }));
    await waitFor(async () => provider.requests.length - before, (n) => n >= 6, 10_000, 10);
    const busy: number[] = [];
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      // A connection held across the provider call would sit in a transaction or a query for seconds.
      const [{ n }] = await db.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'plystra-auth-complete' AND datname = current_database() AND state <> 'idle' AND state_change < now() - interval '250 milliseconds'`,
      );
      busy.push(n);
      const t = performance.now();
      const health = await call(plugin.url, 'GET', '/health');
      const consume = await call(plugin.url, 'POST', '/api/v1/auth/magic-link/consume', { body: { token: `ply_ml_${'e'.repeat(64)}` }, headers: fromIp(7100 + i) });
      latencies.push(performance.now() - t);
      expect([health.status, consume.status]).toEqual([200, 401]);
      await sleep(150);
    }
    const [{ pending }] = await db.dataSource.query(`SELECT count(*)::int AS pending FROM plugin_auth_challenges WHERE email = ANY($1) AND status = 'pending'`, [emails]);
    const results = await sends;
    const [{ failed }] = await db.dataSource.query(`SELECT count(*)::int AS failed FROM plugin_auth_challenges WHERE email = ANY($1) AND status = 'failed'`, [emails]);
    provider.setBehaviour('accept');
    const slowest = Math.max(...latencies);
    const ok = Math.max(...busy) === 0 && slowest < 1_000 && results.every((r) => r.status === 502) && failed === 6;
    recordFigure('faults', 'slow-provider', `6 sends hanging on the provider with a 2-connection pool: ${Math.max(...busy)} connections busy, other requests answered in ≤ ${Math.round(slowest)} ms, then 6 × 502 and 6 challenges failed`, ok);
    expect(pending).toBe(6);
    expect(busy).toEqual([0, 0, 0, 0, 0]);
    expect(slowest).toBeLessThan(1_000);
    expect(statusCounts(results)).toEqual({ 502: 6 });
    expect(failed).toBe(6);
    await plugin.stop();
  });
});
