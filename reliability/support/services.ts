import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { runDir } from './figures';

/** The workspace root: services run from its dist/ (built by `node tools/build.mjs`). */
export const ROOT = resolve(__dirname, '..', '..');

export type ServiceKind = 'core' | 'plugin' | 'smtp' | 'postgres';

const ENTRY: Record<ServiceKind, string> = {
  core: 'dist/apps/core/src/main.js',
  plugin: 'dist/apps/plugin-auth-complete/src/main.js',
  smtp: 'dist/apps/plugin-email-smtp/src/main.js',
  postgres: 'dist/libs/db/src/testing/embedded-postgres-owner.js',
};

/** The log line each service writes once it accepts connections (it carries the URL). */
const LISTENING: Record<Exclude<ServiceKind, 'postgres'>, string> = {
  core: 'core listening',
  plugin: 'auth plugin listening',
  smtp: 'plugin-email-smtp listening',
};

export interface RunningService {
  kind: ServiceKind;
  name: string;
  pid: number;
  /** Base URL, e.g. `http://127.0.0.1:41234` (empty for the PostgreSQL owner). */
  url: string;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** null while running; the exit code or signal once it has exited. */
  exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | null;
  alive(): boolean;
  /** Sends a signal and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM (clean shutdown), then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** Every process this test file started, so none outlives it and every output can be scanned. */
const started: RunningService[] = [];
const children = new Map<ChildProcess, ServiceKind>();
process.once('exit', () => {
  // A PostgreSQL owner is asked to stop its cluster (SIGKILL would orphan the postmaster).
  for (const [child, kind] of children) if (child.exitCode === null && child.signalCode === null) child.kill(kind === 'postgres' ? 'SIGTERM' : 'SIGKILL');
});

export function startedServices(): RunningService[] {
  return [...started];
}

/** Only what a service needs from the parent: never the test run's own variables. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const key of ['HOME', 'TMPDIR', 'LANG']) if (process.env[key]) env[key] = process.env[key]!;
  return env;
}

let sequence = 0;

/**
 * Spawns a compiled service (`node dist/…/main.js`) with exactly `env`, captures its output (kept
 * in memory and written to the run folder), and resolves once it listens. Pass port 0 in the
 * listen variable: the URL is read from the service's own "listening" log line.
 */
export async function startService(kind: ServiceKind, env: Record<string, string>, options: { name?: string; args?: string[]; timeoutMs?: number } = {}): Promise<RunningService> {
  const name = options.name ?? `${kind}-${++sequence}`;
  const child = spawn(process.execPath, [join(ROOT, ENTRY[kind]), ...(options.args ?? [])], { cwd: ROOT, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(child, kind);
  const chunks: string[] = [];
  let log: WriteStream | null = null;
  try {
    log = createWriteStream(join(runDir(), 'logs', `${name}-${child.pid}.log`));
  } catch {
    log = null;
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    chunks.push(text);
    log?.write(text);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  void exited.then(() => {
    children.delete(child);
    log?.end();
  });

  const output = () => chunks.join('');
  const ready = kind === 'postgres' ? /^ready$/m : new RegExp(`"url":"(http://[^"]+)"[^\\n]*"msg":"${LISTENING[kind]}"`);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let url = '';
  for (;;) {
    const match = ready.exec(output());
    if (match) {
      url = match[1] ?? '';
      break;
    }
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited before it was ready (${child.exitCode ?? child.signalCode}):\n${output().slice(-4000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${options.timeoutMs ?? 60_000} ms:\n${output().slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  const service: RunningService = {
    kind,
    name,
    pid: child.pid!,
    url,
    port: url ? Number(new URL(url).port) : 0,
    output,
    exitStatus: () => (child.exitCode === null && child.signalCode === null ? null : { code: child.exitCode, signal: child.signalCode }),
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill(signal = 'SIGKILL') {
      if (service.alive()) child.kill(signal);
      await exited;
    },
    async stop() {
      if (!service.alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  started.push(service);
  return service;
}

/** Stops every process this file started (clean shutdown first). */
export async function stopAll(): Promise<void> {
  await Promise.all(started.map((s) => s.stop()));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `read` until `done` holds or the timeout passes; returns the last value. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await sleep(intervalMs);
    value = await read();
  }
  return value;
}
