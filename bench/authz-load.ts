import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './support';

/** What the orchestrator asks one load run to do (passed as a JSON file path in argv[2]). */
export interface LoadPlan {
  url: string;
  headers: Record<string, string>;
  /** A JSON array of request bodies (one system's encoding of the logical checks), cycled by the connections. */
  bodiesFile: string;
  connections: number;
  durationSeconds: number;
  /** Requests per second across all connections; omitted = as fast as the server answers. */
  overallRate?: number;
  /** Collect each answer's audit_log_id (to verify every answered check has its row). */
  collectAuditIds: boolean;
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  auditIds: string[];
  /** Answers other than 200, by status. */
  statuses: Record<string, number>;
}

const AUDIT_ID = /"audit_log_id":"(audit_[0-9a-f]{16})"/;

async function run(plan: LoadPlan): Promise<LoadResult> {
  const pool = (JSON.parse(readFileSync(plan.bodiesFile, 'utf8')) as string[]).map((b) => Buffer.from(b));
  let next = 0;
  const auditIds: string[] = [];
  const statuses: Record<string, number> = {};
  const result = await autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: plan.durationSeconds,
    overallRate: plan.overallRate,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...plan.headers },
        setupRequest: (req) => ({ ...req, body: pool[next++ % pool.length] }),
        onResponse: (status, body) => {
          if (status !== 200) statuses[status] = (statuses[status] ?? 0) + 1;
          else if (plan.collectAuditIds) {
            const id = AUDIT_ID.exec(body)?.[1];
            if (id) auditIds.push(id);
          }
        },
      },
    ],
  });
  const l = result.latency;
  return {
    requestsPerSecond: result.requests.total / result.duration,
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    latencyMs: { p50: l.p50, p90: l.p90, p99: l.p99, max: l.max, mean: l.mean },
    auditIds,
    statuses,
  };
}

/** Runs the plan in a separate Node process, so the load generator never shares a server's event loop. */
export async function loadFromChild(plan: LoadPlan, work: string): Promise<LoadResult> {
  const file = join(work, `authz-load-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(plan));
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'dist/bench/authz-load.js'), file], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`load generator exited with ${code}`))));
  });
  return JSON.parse(readFileSync(`${file}.out`, 'utf8'));
}

if (require.main === module) {
  const file = process.argv[2];
  run(JSON.parse(readFileSync(file, 'utf8')) as LoadPlan)
    .then((result) => {
      writeFileSync(`${file}.out`, JSON.stringify(result));
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
