import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { LoadResult } from './load';

export type Measured = LoadResult & { cpuMsPerRequest: { server: number; postgres: number } };

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU used by a server process and by the PostgreSQL backends of its database, per answered request. */
export class CpuMeter {
  constructor(
    private readonly serverPid: number,
    private readonly ds: { query(sql: string): Promise<Array<{ pid: number }>> },
  ) {}

  private async backends(): Promise<Map<number, number>> {
    const rows = await this.ds.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)]));
  }

  async measure(run: () => Promise<LoadResult>): Promise<Measured> {
    const [server, pg] = [cpuSeconds(this.serverPid), await this.backends()];
    const result = await run();
    const [serverAfter, pgAfter] = [cpuSeconds(this.serverPid), await this.backends()];
    let postgres = 0;
    for (const [pid, seconds] of pgAfter) postgres += seconds - (pg.get(pid) ?? 0);
    const perRequest = (seconds: number) => (seconds * 1000) / Math.max(1, result.total);
    return { ...result, cpuMsPerRequest: { server: perRequest(serverAfter - server), postgres: perRequest(postgres) } };
  }
}

export interface Child {
  pid: number;
  /** The first stdout line matching `ready`. */
  readyLine: string;
  rssMb(): number;
  stop(): Promise<void>;
}

/**
 * A server under test in its own process; ready when a stdout line matches `ready` (or, with
 * `readyUrl`, when that URL answers). Its stderr goes to ours unless ignored.
 */
export async function startChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp | { readyUrl: string },
  stderr: 'inherit' | 'ignore' = 'inherit',
): Promise<Child> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', stderr] });
  let readyLine = '';
  await new Promise<void>((done, fail) => {
    const exited = (code: number | null) => fail(new Error(`${command} ${args.join(' ')} exited with ${code}`));
    child.once('exit', exited);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      if (readyLine || !(ready instanceof RegExp)) return;
      buffered += String(chunk);
      const line = buffered.split('\n').find((l) => ready.test(l));
      if (line) {
        readyLine = line;
        child.off('exit', exited);
        done();
      }
    });
    if (!(ready instanceof RegExp)) {
      const poll = async () => {
        for (let i = 0; i < 600 && child.exitCode === null; i++) {
          try {
            await fetch(ready.readyUrl);
            child.off('exit', exited);
            return done();
          } catch {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
        fail(new Error(`${command} never answered ${ready.readyUrl}`));
      };
      void poll();
    }
  });
  child.stdout!.resume();
  return {
    pid: child.pid!,
    readyLine,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}
