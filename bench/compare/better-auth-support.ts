import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseOn, root, type RunningService, startService } from '../support';

/**
 * Helpers shared by the login and passwordless sections: Better Auth started on a given server,
 * a bounded-concurrency load loop, percentiles and CPU-profile summaries.
 */

/** Runs a compiled entry (relative to the repository root) until it exits; rejects on a non-zero exit. */
export async function runOnce(entry: string, env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [join(root, entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`${entry} exited with ${code}`);
}

export const BETTER_AUTH_SECRET = 'bench-better-auth-secret-0123456789abcdef';
export const BETTER_AUTH_VERSION: string = JSON.parse(readFileSync(join(root, 'node_modules/better-auth/package.json'), 'utf8')).version;

export interface BetterAuthService extends RunningService {
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
    const child = await startService(entry, env, '/bench/ready', port, nodeArgs);
    return { ...child, api: `${child.url}/api/auth`, databaseUrl: db.url, drop: () => db.drop() };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/** Headers a browser on Better Auth's own origin sends (Better Auth refuses a POST without Origin). */
export const betterAuthHeaders = (service: RunningService, ip: string) => ({ 'content-type': 'application/json', origin: service.url, 'x-forwarded-for': ip });

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
