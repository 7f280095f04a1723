import { randomBytes } from 'node:crypto';
import { createDataSource, runMigrations } from '@plystra/db';
import { coreMigrations } from '@plystra/migrations-core';
import { seedDemo } from '../apps/core/src/demo/demo-seed';
import { loadFromChild, type LoadResult } from './load';
import { type BenchContext, type BenchRow, type BenchSection, pct } from './report';
import { runStandalone } from './run';
import { demoAccessToken, freePort, freshDatabase, median, startService } from './support';

const TARGET_RATIO = 0.5;
const CONNECTIONS = 16;

/**
 * Session-authenticated requests: `GET /api/v1/actor/context` with a bearer access token against
 * the framework floor, a `GET` of the same shape answering `{}` in the same Core process (and the
 * same floor behind the bearer check alone, to split the cost between authentication and the
 * context query). Rounds interleave the three; the median round is reported.
 */
export const runSessionSection: BenchSection = async (ctx: BenchContext) => {
  const db = await freshDatabase();
  try {
    await runMigrations(db.url, coreMigrations);
    const ds = createDataSource({ url: db.url, poolSize: 1 });
    await ds.initialize();
    await seedDemo(ds);
    await ds.destroy();
    const port = await freePort();
    const secret = randomBytes(32).toString('hex');
    const core = await startService('dist/bench/authz-core-server.js', { DATABASE_URL: db.url, SERVER_PORT: String(port), PLYSTRA_SESSION_SECRET: secret, PLYSTRA_API_KEY_SECRET: secret }, '/api/v1/ready', port);
    try {
      const headers = { authorization: `Bearer ${await demoAccessToken(core.url)}` };
      const systems = [
        { system: 'NestJS floor (GET, same Core process)', path: '/api/v1/bench/floor' },
        { system: 'NestJS floor behind the bearer check', path: '/api/v1/bench/floor-bearer' },
        { system: 'Plystra GET /actor/context (bearer)', path: '/api/v1/actor/context' },
      ];
      const load = (path: string, overallRate?: number) => loadFromChild({ url: core.url + path, headers, connections: CONNECTIONS, durationSeconds: ctx.seconds, overallRate }, ctx.work);
      // Warm-up: JIT, pool connections, prepared statements.
      for (const { path } of systems) await loadFromChild({ url: core.url + path, headers, connections: CONNECTIONS, durationSeconds: 1 }, ctx.work);

      const runs = systems.map(() => [] as LoadResult[]);
      for (let round = 0; round < ctx.rounds; round++) {
        for (const [i, { path }] of systems.entries()) runs[i].push(await load(path));
      }
      const failed = runs.flat().find((r) => r.non2xx > 0 || r.errors > 0);
      if (failed) throw new Error(`a session load run had ${failed.non2xx} non-2xx answers and ${failed.errors} errors`);
      const rates = runs.map((r) => median(r.map((x) => x.requestsPerSecond)));
      const half = Math.max(1, Math.round(rates[0] / 2));
      const halfRate = await load(systems[2].path, half);

      const rows: BenchRow[] = systems.map(({ system }, i) => ({
        workload: 'bearer-authenticated GET',
        system,
        metric: 'req/s at saturation',
        value: rates[i],
        unit: 'req/s',
        ...(i > 0 ? { ratio: rates[i] / rates[0], ratioTo: 'GET floor' } : {}),
      }));
      rows.push(
        { workload: 'bearer-authenticated GET', system: systems[2].system, metric: `p50 at half the floor's rate (${half}/s)`, value: halfRate.latencyMs.p50, unit: 'ms' },
        { workload: 'bearer-authenticated GET', system: systems[2].system, metric: `p99 at half the floor's rate (${half}/s)`, value: halfRate.latencyMs.p99, unit: 'ms' },
      );
      const ratio = rates[2] / rates[0];
      return {
        title: 'Session-authenticated requests',
        rows,
        targets: [{ name: 'bearer-authenticated /actor/context vs the framework floor', target: `≥ ${pct(TARGET_RATIO)}`, measured: pct(ratio), pass: ratio >= TARGET_RATIO }],
        notes: [
          `Core on the Express adapter, one demo session (Alice), ${CONNECTIONS} connections from a separate autocannon process, ${ctx.rounds} interleaved rounds of ${ctx.seconds} s, median round.`,
          'Every `/actor/context` verifies the access token (HMAC lookup of the session, user and binding still active) and reads the actor and every usable binding of the user.',
        ],
      };
    } finally {
      await core.stop();
    }
  } finally {
    await db.drop();
  }
};

if (require.main === module) runStandalone(runSessionSection);
