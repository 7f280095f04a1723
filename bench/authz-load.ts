import autocannon from 'autocannon';
import { readFileSync, writeFileSync } from 'node:fs';

/** What the orchestrator asks one load run to do (passed as a JSON file path in argv[2]). */
export interface LoadPlan {
  url: string;
  apiKey: string;
  connections: number;
  durationSeconds: number;
  /** Requests per second across all connections; omitted = as fast as the server answers. */
  overallRate?: number;
  actors: number;
  resources: number;
  spaceId: string;
  seed: number;
  /** Collect each answer's audit_log_id (to verify every answered check has its row). */
  collectAuditIds: boolean;
  out: string;
}

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  auditIds: string[];
  decisions: Record<string, number>;
}

/** mulberry32: a small seeded PRNG, so every run sends the same sequence. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf(s = 1) over ranks 1..n: a few actors are very busy, most are rare, like real traffic. */
function zipf(n: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1);
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

const ACTIONS = ['approve', 'read', 'update', 'approve', 'reject', 'read'];

/** Pre-built request bodies (skewed actors, uniform resources), cycled by the connections. */
function bodies(plan: LoadPlan, count: number): Buffer[] {
  const random = prng(plan.seed);
  const actor = zipf(plan.actors, random);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const a = actor();
    out.push(
      Buffer.from(
        JSON.stringify({
          actor: { user_id: `user_${a}`, member_id: `member_${a}`, user_member_id: `um_${a}`, space_id: plan.spaceId },
          resource_type: 'invoice',
          resource_id: `invoice_${1 + Math.floor(random() * plan.resources)}`,
          action: ACTIONS[Math.floor(random() * ACTIONS.length)],
        }),
      ),
    );
  }
  return out;
}

const AUDIT_ID = /"audit_log_id":"(audit_[0-9a-f]{16})"/;
const DECISION = /"decision":"(allow|deny)"/;

async function run(plan: LoadPlan): Promise<LoadResult> {
  const pool = bodies(plan, 50_000);
  let next = 0;
  const auditIds: string[] = [];
  const decisions: Record<string, number> = {};
  const result = await autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: plan.durationSeconds,
    overallRate: plan.overallRate,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-plystra-api-key': plan.apiKey },
        setupRequest: (req) => ({ ...req, body: pool[next++ % pool.length] }),
        onResponse: (status, body) => {
          if (!plan.collectAuditIds || status !== 200) return;
          const id = AUDIT_ID.exec(body)?.[1];
          if (id) auditIds.push(id);
          const decision = DECISION.exec(body)?.[1] ?? 'none';
          decisions[decision] = (decisions[decision] ?? 0) + 1;
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
    decisions,
  };
}

/** A separate process, so the load generator never shares Core's event loop. */
if (require.main === module) {
  const plan = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadPlan;
  run(plan)
    .then((result) => writeFileSync(plan.out, JSON.stringify(result)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
