import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { resolveDatabase, type ResolvedDatabase } from '@plystra/db';
import { DEMO_PASSWORD } from '../apps/core/src/demo/demo-seed';

export const root = resolve(__dirname, '../..');

export { freePort } from '@plystra/db/testing';

/** A scratch database on the PostgreSQL server `serverUrl` names; `drop()` removes it. */
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

/** A fresh database on DATABASE_URL's server, or on the embedded development cluster. */
export async function freshDatabase(): Promise<{ url: string; server: ResolvedDatabase; drop(): Promise<void> }> {
  const server = await resolveDatabase({ url: process.env.DATABASE_URL, production: false, workspaceRoot: root });
  const db = await databaseOn(server.url, 'plystra_bench');
  return {
    url: db.url,
    server,
    async drop() {
      await db.drop();
      await server.embedded?.stop();
    },
  };
}

export interface RunningService {
  url: string;
  child: ChildProcess;
  startMs: number;
  rssMb(): number;
  stop(): Promise<void>;
}

/**
 * Starts a compiled entry (relative to the repository root) as a child process and waits until
 * `readyPath` answers 200 on `port`. `nodeArgs` go before the entry (e.g. `--cpu-prof`).
 */
export async function startService(entry: string, env: Record<string, string>, readyPath: string, port: number, nodeArgs: string[] = []): Promise<RunningService> {
  const started = performance.now();
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
    await new Promise((r) => setTimeout(r, 20));
  }
  const startMs = performance.now() - started;
  return {
    url,
    child,
    startMs,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** Alice's access token from the demo seed, signed in on the Core at `coreUrl`. */
export async function demoAccessToken(coreUrl: string): Promise<string> {
  const login = await fetch(`${coreUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'alice@example.com', password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`demo login failed: ${login.status} ${await login.text()}`);
  return ((await login.json()) as { data: { access_token: string } }).data.access_token;
}

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

/** The machine's CPU time so far, in clock ticks (Linux `/proc/stat`): all of it, and what the hypervisor stole. Null elsewhere. */
export function cpuTicks(): { total: number; steal: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] };
  } catch {
    return null;
  }
}

/** The share of CPU time the hypervisor took between two readings, e.g. "7%"; "n/a" when unknown. */
export function stealBetween(before: ReturnType<typeof cpuTicks>, after: ReturnType<typeof cpuTicks>): string {
  if (!before || !after || after.total <= before.total) return 'n/a';
  return `${((100 * (after.steal - before.steal)) / (after.total - before.total)).toFixed(0)}%`;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export function table(rows: Array<Record<string, string | number>>): string {
  const keys = Object.keys(rows[0] ?? {});
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  return [line(keys), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(keys.map((k) => String(r[k]))))].join('\n');
}
