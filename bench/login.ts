import autocannon from 'autocannon';
import { cpus } from 'node:os';
import { Algorithm, hashRaw } from '@node-rs/argon2';
import { createDataSource, runMigrations } from '@plystra/db';
import { allMigrationSets } from '@plystra/migrations';
import { DEFAULT_ARGON2_PARAMS } from '@plystra/session';
import { seedDemo } from '../apps/core/src/demo/demo-seed';
import { freePort, freshDatabase, machine, median, startService, table } from './support';

/**
 * Password login against the Argon2id bound, health latency during a login flood, Core's idle
 * memory and start-up time. Run: node tools/build.mjs && node dist/bench/login.js
 */
async function hashSeconds(samples: number): Promise<number> {
  const salt = Buffer.alloc(16, 7);
  const p = DEFAULT_ARGON2_PARAMS;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await hashRaw(`password-${i}`, { algorithm: Algorithm.Argon2id, memoryCost: p.memoryKiB, timeCost: p.iterations, parallelism: p.parallelism, outputLen: 32, salt });
    times.push(performance.now() - t);
  }
  return median(times) / 1000;
}

async function main(): Promise<void> {
  const db = await freshDatabase();
  try {
    for (const set of allMigrationSets) await runMigrations(db.url, set);
    const ds = createDataSource({ url: db.url, poolSize: 1 });
    await ds.initialize();
    await seedDemo(ds);
    await ds.destroy();

    const port = await freePort();
    const env = { DATABASE_URL: db.url, SERVER_PORT: String(port), PLYSTRA_SESSION_SECRET: 'bench-session-secret-0123456789abcdef', PLYSTRA_AUTH_LOGIN_MAX_FAILURES: '1000' };
    const core = await startService('dist/apps/core/src/main.js', env, '/api/v1/ready', port);
    await new Promise((r) => setTimeout(r, 1000));
    const idleRss = core.rssMb();
    const coldStartMs = core.startMs;

    const perHash = await hashSeconds(15);
    const cores = cpus().length;
    const bound = cores / perHash;

    const body = JSON.stringify({ email: 'alice@example.com', password: 'plystra-demo' });
    const health = autocannon({ url: `${core.url}/api/v1/health`, connections: 2, overallRate: 50, duration: 12 });
    const login = await autocannon({
      url: `${core.url}/api/v1/auth/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: cores * 4,
      duration: 12,
    });
    const healthResult = await health;
    const loadRss = core.rssMb();
    await core.stop();

    const loginRate = login.requests.average;
    const rows = [
      { measure: 'Argon2id time per hash (m=65536,t=3,p=2)', value: `${(perHash * 1000).toFixed(1)} ms`, target: '', verdict: '' },
      { measure: `hashing bound (${cores} cores ÷ time per hash)`, value: `${bound.toFixed(1)} /s`, target: '', verdict: '' },
      { measure: 'password logins at saturation', value: `${loginRate.toFixed(1)} /s (${login.non2xx} non-2xx)`, target: '≥ 90% of bound', verdict: `${((loginRate / bound) * 100).toFixed(0)}% ${loginRate >= 0.9 * bound ? 'PASS' : 'MISS'}` },
      { measure: 'login p50 / p99', value: `${login.latency.p50} / ${login.latency.p99} ms`, target: '', verdict: '' },
      { measure: 'GET /health p99 during the flood', value: `${healthResult.latency.p99} ms`, target: '< 20 ms', verdict: healthResult.latency.p99 < 20 ? 'PASS' : 'MISS' },
      { measure: 'Core RSS idle / under load', value: `${idleRss.toFixed(0)} / ${loadRss.toFixed(0)} MB`, target: '< 150 MB idle', verdict: idleRss < 150 ? 'PASS' : 'MISS' },
      { measure: 'Core start to ready (warm database)', value: `${coldStartMs.toFixed(0)} ms`, target: '< 2000 ms', verdict: coldStartMs < 2000 ? 'PASS' : 'MISS' },
    ];
    console.log(`\nPassword login benchmark — ${machine()}\n`);
    console.log(table(rows));
  } finally {
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
