import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

/** One load run, passed to a separate process as a JSON file. */
export interface LoadPlan {
  url: string;
  /** Default: POST when there is a body, GET otherwise. */
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** One body for every request… */
  body?: string;
  /** …or a file holding a JSON array of bodies, cycled in order. */
  bodiesFile?: string;
  /** Replace every `[<id>]` in the body with a fresh id per request. */
  uniqueIds?: boolean;
  /** Connections (saturation), or the most requests in flight at once (fixed rate). */
  connections: number;
  durationSeconds: number;
  /**
   * Requests per second, evenly spaced (open loop: each latency counts from the moment the request
   * was due, so a stall is not hidden by requests that were never sent). Omitted: as fast as the
   * server answers, closed loop, with autocannon.
   */
  overallRate?: number;
  /** Collect each 200 answer's audit_log_id (to verify every answered check has its row). */
  collectAuditIds?: boolean;
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  auditIds: string[];
  /** Answers other than 2xx, by status. */
  statuses: Record<string, number>;
}

const AUDIT_ID = /"audit_log_id":"(audit_[0-9a-f]{16})"/;

const methodOf = (plan: LoadPlan) => plan.method ?? (plan.body !== undefined || plan.bodiesFile ? 'POST' : 'GET');

/** Refuses a run whose answers were not (almost all) 2xx: its rate would measure the wrong thing. */
export function requireAnswered(result: LoadResult, what: string, tolerance = 0.005): LoadResult {
  const failed = result.non2xx + result.errors;
  if (failed > tolerance * Math.max(1, result.total + result.errors)) {
    throw new Error(`${what}: ${failed} of ${result.total + result.errors} requests were not answered 2xx (${JSON.stringify(result.statuses)}, ${result.errors} errors)`);
  }
  return result;
}

/** The request bodies of a plan, as a function of the request's sequence number. */
function bodies(plan: LoadPlan): (i: number) => Buffer | undefined {
  if (plan.bodiesFile) {
    const pool = (JSON.parse(readFileSync(plan.bodiesFile, 'utf8')) as string[]).map((b) => Buffer.from(b));
    return (i) => pool[i % pool.length];
  }
  if (plan.body === undefined) return () => undefined;
  const fixed = Buffer.from(plan.body);
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  return plan.uniqueIds ? (i) => Buffer.from(plan.body!.replaceAll('[<id>]', `${run}_${i}`)) : () => fixed;
}

class Outcomes {
  auditIds: string[] = [];
  statuses: Record<string, number> = {};
  constructor(private readonly collectAuditIds: boolean) {}

  answer(status: number, body: string): void {
    if (status < 200 || status >= 300) this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    else if (this.collectAuditIds) {
      const id = AUDIT_ID.exec(body)?.[1];
      if (id) this.auditIds.push(id);
    }
  }
}

async function saturate(plan: LoadPlan): Promise<LoadResult> {
  const body = bodies(plan);
  const outcomes = new Outcomes(!!plan.collectAuditIds);
  let next = 0;
  const result = await autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: plan.durationSeconds,
    requests: [
      {
        method: methodOf(plan),
        headers: { ...(plan.body !== undefined || plan.bodiesFile ? { 'content-type': 'application/json' } : {}), ...plan.headers },
        setupRequest: (req) => ({ ...req, body: body(next++) }),
        onResponse: (status, text) => outcomes.answer(status, text),
      },
    ],
  });
  const l = result.latency;
  return {
    requestsPerSecond: result.requests.total / result.duration,
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    latencyMs: { p50: l.p50, p90: l.p90, p99: l.p99, max: l.max, mean: l.mean },
    auditIds: outcomes.auditIds,
    statuses: outcomes.statuses,
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/**
 * Evenly spaced requests at `overallRate` for `durationSeconds` over at most `connections`
 * keep-alive sockets. autocannon's own rate option sends each second's quota in a burst at the
 * start of the second, which measures queueing behind the burst rather than latency at that rate.
 */
async function paced(plan: LoadPlan): Promise<LoadResult> {
  const body = bodies(plan);
  const outcomes = new Outcomes(!!plan.collectAuditIds);
  const agent = new Agent({ keepAlive: true, maxSockets: plan.connections });
  const url = new URL(plan.url);
  const latencies: number[] = [];
  let ok = 0;
  let errors = 0;
  const interval = 1000 / plan.overallRate!;
  const count = Math.floor(plan.durationSeconds * plan.overallRate!);
  const inFlight: Array<Promise<void>> = [];
  const send = (i: number, due: number) =>
    new Promise<void>((done) => {
      // Sent late, latency counts from when it was due; sent a little early (the loop does not sleep under 1 ms), from when it left.
      const from = Math.min(due, performance.now());
      const payload = body(i);
      const headers: Record<string, string | number> = payload ? { 'content-type': 'application/json', ...plan.headers, 'content-length': payload.length } : { ...plan.headers };
      const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: methodOf(plan), headers, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          latencies.push(performance.now() - from);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) ok++;
          outcomes.answer(status, Buffer.concat(chunks).toString());
          done();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        done();
      });
      req.end(payload);
    });
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send(i, due));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    requestsPerSecond: latencies.length / elapsed,
    total: latencies.length,
    ok,
    non2xx: latencies.length - ok,
    errors,
    latencyMs: {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? NaN),
      mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    },
    auditIds: outcomes.auditIds,
    statuses: outcomes.statuses,
  };
}

/**
 * Runs the plan in a separate Node process, so the load generator never shares an event loop with a
 * server under test or the orchestrator. This file imports nothing of the product: a load process
 * that loaded the database libraries spent over a second of CPU starting, on the cores the measured
 * services share, while the other load process of a pair (a flood and its probe) was already timing.
 */
export async function loadFromChild(plan: LoadPlan, work: string): Promise<LoadResult> {
  const file = join(work, `load-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(plan));
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [__filename, file], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`load generator exited with ${code}`))));
  });
  return JSON.parse(readFileSync(`${file}.out`, 'utf8'));
}

if (require.main === module) {
  const file = process.argv[2];
  const plan = JSON.parse(readFileSync(file, 'utf8')) as LoadPlan;
  (plan.overallRate ? paced(plan) : saturate(plan))
    .then((result) => {
      writeFileSync(`${file}.out`, JSON.stringify(result));
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
