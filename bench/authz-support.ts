import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './authz-load';
import { root } from './support';

export type Measured = LoadResult & { cpuMsPerRequest: { core: number; postgres: number } };

/** The run with the median throughput: rounds interleave, so a burst of outside load skews one round, not the figure. */
export function medianRun(runs: Measured[]): Measured {
  return [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[runs.length >> 1];
}

export function mergeCounts(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU used by Core and by the PostgreSQL backends serving this database, per answered request. */
export class CpuMeter {
  constructor(
    private readonly corePid: number,
    private readonly ds: { query(sql: string): Promise<Array<{ pid: number }>> },
  ) {}

  private async backends(): Promise<Map<number, number>> {
    const rows = await this.ds.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
    return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)]));
  }

  async measure<T extends { total: number }>(run: () => Promise<T>): Promise<T & { cpuMsPerRequest: { core: number; postgres: number } }> {
    const [core, pg] = [cpuSeconds(this.corePid), await this.backends()];
    const result = await run();
    const [coreAfter, pgAfter] = [cpuSeconds(this.corePid), await this.backends()];
    let postgres = 0;
    for (const [pid, seconds] of pgAfter) postgres += seconds - (pg.get(pid) ?? 0);
    const perRequest = (seconds: number) => (seconds * 1000) / Math.max(1, result.total);
    return { ...result, cpuMsPerRequest: { core: perRequest(coreAfter - core), postgres: perRequest(postgres) } };
  }
}

/** Core (plus the floor route) in a child process; with `profile`, under `node --cpu-prof`. */
export async function startBenchCore(env: Record<string, string>, profileDir: string | null) {
  const args = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(root, 'dist/bench/authz-core-server.js')];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('listening') && ready());
    child.once('exit', (code) => fail(new Error(`core exited with ${code}`)));
  });
  return {
    pid: child.pid!,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

