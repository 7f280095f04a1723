import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { root } from '../support';

/**
 * Helpers shared by the login and passwordless sections: a scratch database on a given server,
 * child services that print `listening <port>`, Better Auth started on that server, a bounded
 * concurrency load loop, percentiles and CPU-profile summaries.
 */

/** A scratch database on the same PostgreSQL server as `serverUrl`. */
export async function databaseOn(serverUrl: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface Child {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Runs a compiled entry (relative to the repository root) until it exits; rejects on a non-zero exit. */
export async function runOnce(entry: string, env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [join(root, entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`${entry} exited with ${code}`);
}

/**
 * Starts a compiled entry and waits until `readyPath` answers 200 on `port`. `nodeArgs` go
 * before the entry (e.g. `--cpu-prof`).
 */
export async function startChild(entry: string, env: Record<string, string>, port: number, readyPath: string, nodeArgs: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...nodeArgs, join(root, entry)], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      // A bounded wait: under heavy load a probe sent while the service starts can stall.
      if ((await fetch(url + readyPath, { signal: AbortSignal.timeout(2000) })).ok) break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url,
    port,
    child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export const BETTER_AUTH_SECRET = 'bench-better-auth-secret-0123456789abcdef';
export const BETTER_AUTH_VERSION: string = JSON.parse(readFileSync(join(root, 'node_modules/better-auth/package.json'), 'utf8')).version;

export interface BetterAuthService extends Child {
  /** `url` + `/api/auth`. */
  api: string;
  databaseUrl: string;
  drop(): Promise<void>;
}

/**
 * Better Auth (bench/compare/better-auth-server.ts) in a child process on its own database on
 * `serverUrl`'s PostgreSQL server, schema from its own migration API. Delivery goes to
 * `email.url` when given.
 */
export async function startBetterAuth(serverUrl: string, port: number, email?: { url: string; token: string }, nodeArgs: string[] = []): Promise<BetterAuthService> {
  const db = await databaseOn(serverUrl, 'plystra_bench_betterauth');
  const env: Record<string, string> = { BA_DATABASE_URL: db.url, BA_SECRET: BETTER_AUTH_SECRET, BA_PORT: String(port), ...(email ? { BA_EMAIL_URL: email.url, BA_EMAIL_TOKEN: email.token } : {}) };
  const entry = 'dist/bench/compare/better-auth-server.js';
  try {
    await runOnce(entry, { ...env, BA_MIGRATE: '1' });
    const child = await startChild(entry, env, port, '/bench/ready', nodeArgs);
    return { ...child, api: `${child.url}/api/auth`, databaseUrl: db.url, drop: () => db.drop() };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/** Headers a browser on Better Auth's own origin sends (Better Auth refuses a POST without Origin). */
export const betterAuthHeaders = (service: Child, ip: string) => ({ 'content-type': 'application/json', origin: service.url, 'x-forwarded-for': ip });

export const pctl = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export interface LoopResult {
  perSecond: number;
  p50: number;
  p99: number;
  n: number;
}

/** `concurrency` workers run `op` back to back until `seconds` have passed. */
export async function loop(concurrency: number, seconds: number, op: () => Promise<void>): Promise<LoopResult> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / elapsed, p50: pctl(latencies, 50), p99: pctl(latencies, 99), n: latencies.length };
}

/** The functions with the most self time in the `.cpuprofile` files of `dir`, as short lines. */
export function profileTop(dir: string, count = 8): string[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
      samples: number[];
      timeDeltas: number[];
    };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id)?.callFrame;
      if (!frame) return;
      const where = frame.url ? `${frame.url.replace(/^.*node_modules\//, '').replace(`file://${root}/`, '')}:${frame.lineNumber + 1}` : '';
      const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
      const dt = profile.timeDeltas[i] ?? 0;
      self.set(key, (self.get(key) ?? 0) + dt);
      total += dt;
    });
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => `${((us / Math.max(1, total)) * 100).toFixed(1)}% ${key}`);
}

/** A folder for CPU profiles that outlives the run's work folder. */
export function profileDir(name: string): string {
  const dir = join(tmpdir(), 'plystra-bench-profiles', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
