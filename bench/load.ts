import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './support';

/** One load run of fixed requests (the same method, headers and body every time), from its own process. */
export interface SimpleLoadPlan {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  /** Requests per second across all connections; omitted = as fast as the server answers. */
  overallRate?: number;
  /** Replace every `[<id>]` in the body with a fresh id per request. */
  uniqueIds?: boolean;
}

export interface SimpleLoadResult {
  requestsPerSecond: number;
  total: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p99: number; max: number };
}

async function run(plan: SimpleLoadPlan): Promise<SimpleLoadResult> {
  let next = 0;
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const result = await autocannon({
    url: plan.url,
    method: plan.method ?? 'GET',
    headers: plan.headers,
    body: plan.body,
    connections: plan.connections,
    duration: plan.durationSeconds,
    overallRate: plan.overallRate,
    // autocannon's own idReplacement sends a Content-Length that does not match the replaced body.
    requests: plan.uniqueIds && plan.body ? [{ setupRequest: (req) => ({ ...req, body: plan.body!.replaceAll('[<id>]', `${run}_${++next}`) }) }] : undefined,
  });
  return {
    requestsPerSecond: result.requests.total / result.duration,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
}

/**
 * Runs the plan in a separate Node process (autocannon never shares an event loop with a server
 * under test, nor with the bench orchestrator).
 */
export async function loadFromChild(plan: SimpleLoadPlan, work: string): Promise<SimpleLoadResult> {
  const file = join(work, `load-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(plan));
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [join(root, 'dist/bench/load.js'), file], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`load generator exited with ${code}`))));
  });
  return JSON.parse(readFileSync(`${file}.out`, 'utf8'));
}

if (require.main === module) {
  const file = process.argv[2];
  run(JSON.parse(readFileSync(file, 'utf8')))
    .then((result) => {
      writeFileSync(`${file}.out`, JSON.stringify(result));
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
