import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource, runMigrations } from '@plystra/db';
import { coreMigrations } from '@plystra/migrations-core';
import { LOAD_SQL } from '../apps/core/src/authz/authz-context.repository';
import type { LoadPlan, LoadResult } from './authz-load';
import { BENCH_SCALE, BENCH_SPACE, insertBenchApiKey, seedAuthzBench } from './authz-seed';
import { CpuMeter, type Measured, medianRun, mergeCounts, startBenchCore } from './authz-support';
import { freePort, freshDatabase, machine, root, table } from './support';

/**
 * Audited authorization checks against the framework floor.
 *   node tools/build.mjs && node dist/bench/authz-check.js
 * Seeds 10k users, 1,000 groups (5 levels), 100k resources, 50 roles and 30k role grants in a
 * fresh database (DATABASE_URL's server, or the embedded one), starts Core in a child process,
 * drives it from another process with autocannon (space API key, Zipf-skewed actors), and
 * reports checks/s at saturation against `POST /bench/floor` (same process, same middleware,
 * same body validation, answers {}), p50/p99 at half the floor's rate, and whether every
 * answered check has its audit row. Floor, authenticated floor and check run in interleaved rounds
 * and the median round is reported, so outside load on the machine skews one round, not the
 * comparison. Env: AUTHZ_BENCH_SECONDS (10), AUTHZ_BENCH_ROUNDS (3), AUTHZ_BENCH_CONNECTIONS (16),
 * AUTHZ_BENCH_AUDIT_WRITE_MODE (always; disabled_for_dev measures the check without its audit
 * row), AUTHZ_BENCH_PROFILE=1 writes a CPU profile of Core (node --cpu-prof) to a temp folder.
 */
const SECONDS = Number(process.env.AUTHZ_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.AUTHZ_BENCH_CONNECTIONS ?? 16);
const PROFILE = process.env.AUTHZ_BENCH_PROFILE === '1';
const ROUNDS = Number(process.env.AUTHZ_BENCH_ROUNDS ?? 3);
const API_KEY_SECRET = 'bench-api-key-secret-0123456789abcdef0123';
const TARGET_RATIO = 0.6;
const TARGET_P99_MS = 10;

async function load(plan: Omit<LoadPlan, 'out' | 'actors' | 'resources' | 'spaceId' | 'seed'>, work: string, seed = 1): Promise<LoadResult> {
  const file = join(work, `plan-${Date.now()}.json`);
  const full: LoadPlan = { ...plan, actors: BENCH_SCALE.users, resources: BENCH_SCALE.resources, spaceId: BENCH_SPACE, seed, out: `${file}.out` };
  writeFileSync(file, JSON.stringify(full));
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'dist/bench/authz-load.js'), file], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`load generator exited with ${code}`))));
  });
  return JSON.parse(readFileSync(full.out, 'utf8'));
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'plystra-authz-bench-'));
  const db = await freshDatabase();
  try {
    await runMigrations(db.url, coreMigrations);
    const ds = createDataSource({ url: db.url, poolSize: 4 });
    await ds.initialize();
    const t = performance.now();
    const counts = await seedAuthzBench(ds);
    console.log(`seeded in ${fmt((performance.now() - t) / 1000, 1)} s: ${JSON.stringify(counts)}`);
    const apiKey = await insertBenchApiKey(ds, API_KEY_SECRET);

    const port = await freePort();
    const env: Record<string, string> = {
      DATABASE_URL: db.url, SERVER_PORT: String(port), LOG_LEVEL: 'warn', AUDIT_WRITE_MODE: process.env.AUTHZ_BENCH_AUDIT_WRITE_MODE ?? 'always',
      PLYSTRA_SESSION_SECRET: 'bench-session-secret-0123456789abcdef01', PLYSTRA_API_KEY_SECRET: API_KEY_SECRET,
    };
    const core = await startBenchCore(env, PROFILE ? join(work, 'profile') : null);
    const base = `http://127.0.0.1:${port}/api/v1`;
    const check = `${base}/authz/check`;
    try {
      await load({ url: check, apiKey, connections: CONNECTIONS, durationSeconds: 5, collectAuditIds: false }, work, 7);
      await load({ url: `${base}/bench/floor`, apiKey, connections: CONNECTIONS, durationSeconds: 3, collectAuditIds: false }, work, 7);

      const meter = new CpuMeter(core.pid, ds);
      const runs: Record<'floor' | 'authenticated' | 'check', Measured[]> = { floor: [], authenticated: [], check: [] };
      const saturate = (path: string, collectAuditIds: boolean) => () =>
        meter.measure(() => load({ url: `${base}${path}`, apiKey, connections: CONNECTIONS, durationSeconds: SECONDS, collectAuditIds }, work));
      const [{ n: before }] = await ds.query(`SELECT count(*)::int AS n FROM audit_logs`);
      for (let round = 0; round < ROUNDS; round++) {
        runs.floor.push(await saturate('/bench/floor', false)());
        runs.authenticated.push(await saturate('/bench/floor-authenticated', false)());
        runs.check.push(await saturate('/authz/check', true)());
      }
      const floor = medianRun(runs.floor);
      const authenticated = medianRun(runs.authenticated);
      const saturated = medianRun(runs.check);
      const halfRate = Math.round(floor.requestsPerSecond / 2);
      const paced = await meter.measure(() => load({ url: check, apiKey, connections: CONNECTIONS, durationSeconds: SECONDS, overallRate: halfRate, collectAuditIds: true }, work, 2));
      const lightRate = Math.round(saturated.requestsPerSecond / 2);
      const light = await meter.measure(() => load({ url: check, apiKey, connections: CONNECTIONS, durationSeconds: SECONDS, overallRate: lightRate, collectAuditIds: true }, work, 3));
      const [{ n: after }] = await ds.query(`SELECT count(*)::int AS n FROM audit_logs`);

      const checkRuns = [...runs.check, paced, light];
      const ids = checkRuns.flatMap((r) => r.auditIds);
      let found = 0;
      for (let i = 0; i < ids.length; i += 20_000) {
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM audit_logs WHERE id = ANY($1::text[])`, [ids.slice(i, i + 20_000)]);
        found += n;
      }
      const answered = checkRuns.reduce((sum, r) => sum + r.ok, 0);
      const failed = checkRuns.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
      const [plan] = await ds.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${LOAD_SQL}`, ['user_1', 'member_1', 'um_1', BENCH_SPACE, 'invoice_4242', 'invoice', 'approve', true, true, true]);
      const explained = plan['QUERY PLAN'][0];
      const rss = core.rssMb();
      await core.stop();

      const row = (run: string, r: Measured) => ({
        run, 'req/s': fmt(r.requestsPerSecond), p50_ms: fmt(r.latencyMs.p50, 1), p99_ms: fmt(r.latencyMs.p99, 1), non_2xx: r.non2xx + r.errors,
        core_cpu_ms_per_req: fmt(r.cpuMsPerRequest.core, 2), pg_cpu_ms_per_req: fmt(r.cpuMsPerRequest.postgres, 2),
      });
      console.log(`\nmachine: ${machine()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
      console.log(`${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s (median round shown); Core LOG_LEVEL=warn, pool 10; Zipf(s=1) actors over ${BENCH_SCALE.users}, uniform resources`);
      console.log(
        table([
          row('floor: POST /bench/floor, answers {} (saturation)', floor),
          row('floor + API-key authentication (saturation)', authenticated),
          row('audited POST /authz/check (saturation)', saturated),
          row(`audited POST /authz/check at ${halfRate}/s (half the floor)`, paced),
          row(`audited POST /authz/check at ${lightRate}/s (half its own saturation)`, light),
        ]),
      );
      console.log(`all rounds, req/s: floor ${runs.floor.map((r) => fmt(r.requestsPerSecond)).join(' ')}; authenticated ${runs.authenticated.map((r) => fmt(r.requestsPerSecond)).join(' ')}; check ${runs.check.map((r) => fmt(r.requestsPerSecond)).join(' ')}`);
      const ratio = saturated.requestsPerSecond / floor.requestsPerSecond;
      console.log(`\naudited checks/s vs floor: ${fmt(ratio * 100, 1)}% (target ≥ ${TARGET_RATIO * 100}%) → ${ratio >= TARGET_RATIO ? 'MET' : 'MISSED'}`);
      console.log(`p99 at half the floor rate: ${fmt(paced.latencyMs.p99, 1)} ms (target ≤ ${TARGET_P99_MS} ms) → ${paced.latencyMs.p99 <= TARGET_P99_MS ? 'MET' : 'MISSED'}`);
      console.log(`decisions in the saturated check runs: ${JSON.stringify(runs.check.reduce((acc, r) => mergeCounts(acc, r.decisions), {}))}`);
      // A run stops with up to one request in flight per connection: answered and recorded by Core, never counted by autocannon.
      const written = after - before;
      const consistent = found === answered && failed === 0 && written >= answered && written - answered <= checkRuns.length * CONNECTIONS;
      console.log(
        `audit: ${answered} checks answered 200 (${failed} not), ${found} of their audit_log_ids found; ${written} rows written ` +
          `(${written - answered} for requests in flight when a run stopped) → ${consistent ? 'every answered check has its row' : 'MISMATCH'}`,
      );
      console.log(
        `check context query, EXPLAIN ANALYZE as an unnamed statement (one actor, 3 grants): planning ${fmt(explained['Planning Time'], 2)} ms, execution ${fmt(explained['Execution Time'], 2)} ms ` +
          `(Core runs it as a named statement, planned once per connection); Core RSS ${fmt(rss)} MiB`,
      );
      if (PROFILE) console.log(`CPU profile of Core: ${join(work, 'profile')}`);
    } finally {
      await core.stop();
    }
    await ds.destroy();
  } finally {
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
