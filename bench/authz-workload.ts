import type { DataSource } from 'typeorm';
import { type AuthzScale, BENCH_SPACE } from './authz-seed';

/** One logical check: actor n (user_n / member_n / um_n), resource invoice_n, an action. */
export interface LogicalCheck {
  actor: number;
  resource: number;
  action: string;
}

/** mulberry32: a small seeded PRNG, so every run sends the same sequence. */
export function prng(seed: number): () => number {
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

/** Reads dominate, then approvals; create/delete are rare (and mostly denied). */
const ACTIONS = ['approve', 'read', 'update', 'approve', 'reject', 'read', 'read', 'delete'];

/** The fixed list of logical checks (Zipf-skewed actors, uniform resources), the same for every system. */
export function logicalChecks(scale: AuthzScale, count: number, seed = 1): LogicalCheck[] {
  const random = prng(seed);
  const actor = zipf(scale.users, random);
  return Array.from({ length: count }, () => ({
    actor: actor(),
    resource: 1 + Math.floor(random() * scale.resources),
    action: ACTIONS[Math.floor(random() * ACTIONS.length)],
  }));
}

/** Plystra's check body (node-casbin's endpoint takes the same body). */
export function plystraBody(c: LogicalCheck): string {
  return JSON.stringify({
    actor: { user_id: `user_${c.actor}`, member_id: `member_${c.actor}`, user_member_id: `um_${c.actor}`, space_id: BENCH_SPACE },
    resource_type: 'invoice',
    resource_id: `invoice_${c.resource}`,
    action: c.action,
  });
}

export interface CerbosGrant {
  action: string;
  scope: string;
  /** Anchor group path; "" when the grant has none. */
  anchor: string;
}

/** What a Cerbos caller must hand over: the actor's active grants and the resource's attributes. */
export interface CerbosContext {
  grants: Map<number, CerbosGrant[]>;
  resources: Map<number, { owner: string; group: string; space: string }>;
}

/**
 * Precomputed once from the database (the caller's job with Cerbos, which is stateless): per
 * actor, every active grant (member-role × role × role-permission × permission on invoices) with
 * its anchor path; per resource, owner, group path and space.
 */
export async function cerbosContext(ds: DataSource, checks: LogicalCheck[]): Promise<CerbosContext> {
  const actors = [...new Set(checks.map((c) => `member_${c.actor}`))];
  const resources = [...new Set(checks.map((c) => `invoice_${c.resource}`))];
  const grants = new Map<number, CerbosGrant[]>();
  for (const a of actors) grants.set(Number(a.slice(7)), []);
  const rows: Array<{ member_id: string; action: string; scope: string; anchor: string | null }> = await ds.query(
    `SELECT mr.member_id, p.action, p.scope, g.path AS anchor
       FROM member_roles mr
       JOIN roles r ON r.id = mr.role_id AND r.status = 'active' AND r.space_id = mr.space_id
       JOIN role_permissions rp ON rp.role_id = r.id
       JOIN permissions p ON p.id = rp.permission_id AND p.status = 'active' AND p.resource = 'invoice'
       LEFT JOIN groups g ON g.id = mr.scope_anchor_group_id AND g.status = 'active'
      WHERE mr.member_id = ANY($1::text[]) AND mr.status = 'active' AND mr.space_id = $2
      ORDER BY mr.member_id, p.action, p.scope, g.path`,
    [actors, BENCH_SPACE],
  );
  for (const r of rows) grants.get(Number(r.member_id.slice(7)))!.push({ action: r.action, scope: r.scope, anchor: r.anchor ?? '' });
  const found = new Map<number, { owner: string; group: string; space: string }>();
  for (let i = 0; i < resources.length; i += 50_000) {
    const part: Array<{ id: string; owner: string | null; path: string | null; space_id: string }> = await ds.query(
      `SELECT r.id, r.owner_member_id AS owner, g.path, r.space_id FROM resources r LEFT JOIN groups g ON g.id = r.group_id WHERE r.id = ANY($1::text[])`,
      [resources.slice(i, i + 50_000)],
    );
    for (const r of part) found.set(Number(r.id.slice(8)), { owner: r.owner ?? '', group: r.path ?? '', space: r.space_id });
  }
  return { grants, resources: found };
}

/** Cerbos's CheckResources body: principal attributes carry the actor's grants, the resource its owner and group path. */
export function cerbosBody(c: LogicalCheck, context: CerbosContext): string {
  const resource = context.resources.get(c.resource);
  if (!resource) throw new Error(`invoice_${c.resource} not in the Cerbos context`);
  return JSON.stringify({
    principal: { id: `member_${c.actor}`, roles: ['member'], attr: { member: `member_${c.actor}`, space: BENCH_SPACE, grants: context.grants.get(c.actor) ?? [] } },
    resources: [{ resource: { kind: 'invoice', id: `invoice_${c.resource}`, attr: resource }, actions: [c.action] }],
  });
}

/** The decision out of each system's answer body. */
export function decisionOf(system: 'plystra' | 'casbin' | 'cerbos', status: number, text: string): 'allow' | 'deny' | `error ${string}` {
  if (status !== 200) return `error ${status} ${text.slice(0, 200)}`;
  const body = JSON.parse(text);
  if (system === 'cerbos') {
    const effect = Object.values(body.results?.[0]?.actions ?? {})[0];
    return effect === 'EFFECT_ALLOW' ? 'allow' : effect === 'EFFECT_DENY' ? 'deny' : `error ${text.slice(0, 200)}`;
  }
  const allow = (body.data ?? body).allow;
  return allow === true ? 'allow' : allow === false ? 'deny' : `error ${text.slice(0, 200)}`;
}
