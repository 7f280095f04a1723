import { createHmac, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

export const BENCH_SPACE = 'space_bench';
export const BENCH_ACTIONS = ['read', 'create', 'update', 'approve', 'reject', 'delete'] as const;
const SCOPES = ['self', 'group', 'group_tree', 'space'] as const;

/** The seed's sizes; the sweeps vary resources, tree depth and grants per member. */
export interface AuthzScale {
  users: number;
  groups: number;
  /** Levels of the group tree (1,000 groups whatever the depth). */
  depth: number;
  resources: number;
  roles: number;
  /** Role grants per member (each anchored in one of the first 25 groups). */
  grantsPerMember: number;
}

/** Issue 7's data: 10k users, 1,000 groups in 5 levels, 100k resources, 50 roles, 30k grants. */
export const DEFAULT_SCALE: AuthzScale = { users: 10_000, groups: 1_000, depth: 5, resources: 100_000, roles: 50, grantsPerMember: 3 };
/** BENCH_QUICK: enough to exercise every scope, seconds to seed. */
export const QUICK_SCALE: AuthzScale = { users: 500, groups: 100, depth: 4, resources: 2_000, roles: 10, grantsPerMember: 3 };

/** Grants are anchored in the first ANCHORS groups (the roots and the first groups under them). */
const ANCHORS = 25;
/**
 * Twelve roots: `g1` is then a string prefix of the roots `g10`, `g11` and `g12` (and of their
 * subtrees) without being their ancestor, so every system's group_tree rule meets the
 * `finance` / `finance-old` trap on real data.
 */
const ROOTS = 12;

/** Groups per level: 12 roots, then a geometric growth chosen so the tree holds `groups` in `depth` levels. */
export function levelSizes(groups: number, depth: number): number[] {
  const roots = Math.min(ROOTS, groups);
  if (depth <= 1) return [groups];
  const total = (r: number) => Array.from({ length: depth }, (_, i) => roots * r ** i).reduce((a, b) => a + b, 0);
  let lo = 1;
  let hi = groups;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (total(mid) < groups) lo = mid;
    else hi = mid;
  }
  const sizes = Array.from({ length: depth }, (_, i) => Math.max(1, Math.round(roots * lo ** i)));
  sizes[depth - 1] += groups - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

/** The group tree: level by level, each group under a parent of the level above, path = parent path + segment. */
export function groupTree(scale: AuthzScale): Array<{ id: string; parent: string | null; path: string; level: number }> {
  const out: Array<{ id: string; parent: string | null; path: string; level: number }> = [];
  let n = 0;
  let above: typeof out = [];
  levelSizes(scale.groups, scale.depth).forEach((count, level) => {
    const here: typeof out = [];
    for (let i = 0; i < count; i++) {
      const parent = above.length ? above[i % above.length] : null;
      const id = `group_${++n}`;
      here.push({ id, parent: parent?.id ?? null, path: parent ? `${parent.path}.g${n}` : `g${n}`, level });
    }
    out.push(...here);
    above = here;
  });
  return out;
}

/**
 * The bench's data, written with set-based INSERT … SELECT generate_series (1M resources take
 * seconds): users (one member and one binding each), the group tree, resources spread over the
 * groups and owners, roles with 4 permissions each (of 6 actions × 4 scopes), and
 * `grantsPerMember` role grants per member anchored in the first 25 groups, so group_tree grants
 * cover part of the tree and a check both allows and denies.
 */
export async function seedAuthzBench(ds: DataSource, scale: AuthzScale): Promise<Record<string, number>> {
  const { users, resources, roles, grantsPerMember, groups } = scale;
  if (grantsPerMember > roles) throw new Error(`grantsPerMember (${grantsPerMember}) > roles (${roles}): grants would repeat`);
  await ds.transaction(async (m) => {
    await m.query(`INSERT INTO spaces (id, name) VALUES ($1, 'Bench')`, [BENCH_SPACE]);
    const tree = groupTree(scale);
    for (let level = 0; level < scale.depth; level++) {
      const rows = tree.filter((g) => g.level === level);
      await m.query(
        `INSERT INTO groups (id, space_id, parent_group_id, name, path)
         SELECT id, $1, parent, path, path FROM unnest($2::text[], $3::text[], $4::text[]) AS g(id, parent, path)`,
        [BENCH_SPACE, rows.map((g) => g.id), rows.map((g) => g.parent), rows.map((g) => g.path)],
      );
    }
    await m.query(`INSERT INTO users (id, email) SELECT 'user_' || i, 'user' || i || '@bench.test' FROM generate_series(1, $1) i`, [users]);
    await m.query(`INSERT INTO members (id, space_id, display_name) SELECT 'member_' || i, $2, 'Member ' || i FROM generate_series(1, $1) i`, [users, BENCH_SPACE]);
    await m.query(
      `INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, is_primary, linked_at)
       SELECT 'um_' || i, 'user_' || i, 'member_' || i, $2, 'self', true, now() FROM generate_series(1, $1) i`,
      [users, BENCH_SPACE],
    );
    await m.query(`INSERT INTO resource_types (id, key, display_name) VALUES ('rt_invoice', 'invoice', 'Invoice')`);
    await m.query(
      `INSERT INTO resource_actions (id, resource_type_id, key, display_name) SELECT 'ra_invoice_' || a, 'rt_invoice', a, initcap(a) FROM unnest($1::text[]) a`,
      [BENCH_ACTIONS],
    );
    await m.query(`INSERT INTO resource_mappings (id, resource_type_id, table_name, group_field, owner_member_field) VALUES ('rm_invoice', 'rt_invoice', 'resources', 'group_id', 'owner_member_id')`);
    // The two big inserts (up to 1M resources, 500k grants) skip the per-row foreign-key triggers
    // when the role may (superuser, as on a development server): every id they name is generated
    // above, and skipping them halves the seeding time of the sweeps' largest points.
    const [{ superuser }] = await m.query(`SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`);
    const bulk = async (sql: string, params: unknown[]) => {
      if (superuser) await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(sql, params);
      if (superuser) await m.query(`SET LOCAL session_replication_role = origin`);
    };
    await bulk(
      `INSERT INTO resources (id, resource_type, space_id, group_id, owner_member_id, display_name)
       SELECT 'invoice_' || i, 'invoice', $2, 'group_' || (1 + (i::bigint * 7919) % $3), 'member_' || (1 + (i::bigint * 104729) % $4), 'Invoice ' || i
         FROM generate_series(1, $1) i`,
      [resources, BENCH_SPACE, groups, users],
    );
    await m.query(`INSERT INTO roles (id, space_id, key, name) SELECT 'role_' || i, $2, 'role_' || lpad(i::text, 2, '0'), 'Role ' || i FROM generate_series(1, $1) i`, [roles, BENCH_SPACE]);
    await m.query(
      `INSERT INTO permissions (id, resource, action, scope)
       SELECT 'perm_' || a.n || '_' || s.n, 'invoice', a.v, s.v FROM unnest($1::text[]) WITH ORDINALITY a(v, n), unnest($2::text[]) WITH ORDINALITY s(v, n)`,
      [BENCH_ACTIONS, SCOPES],
    );
    const permissions = BENCH_ACTIONS.length * SCOPES.length;
    await m.query(
      `INSERT INTO role_permissions (id, role_id, permission_id)
       SELECT 'rp_' || r || '_' || k, 'role_' || r, 'perm_' || (1 + p / 4) || '_' || (1 + p % 4)
         FROM generate_series(1, $1) r, generate_series(0, 3) k, LATERAL (SELECT (r + k * 6) % $2 AS p) x`,
      [roles, permissions],
    );
    // Role (1 + (3i + 17k) mod roles) with 17 prime to 50: a member's grants are distinct roles.
    await bulk(
      `INSERT INTO member_roles (id, member_id, role_id, space_id, scope_anchor_group_id)
       SELECT 'mr_' || i || '_' || k, 'member_' || i, 'role_' || (1 + (i * 3 + k * 17) % $2), $3, 'group_' || (1 + (i + k * 13) % $5)
         FROM generate_series(1, $1) i, generate_series(0, $4 - 1) k`,
      [users, roles, BENCH_SPACE, grantsPerMember, Math.min(ANCHORS, groups)],
    );
  });
  await ds.query('VACUUM ANALYZE');
  const [counts] = await ds.query(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM groups)::int AS groups, (SELECT max(depth) + 1 FROM groups)::int AS levels,
            (SELECT count(*) FROM resources)::int AS resources, (SELECT count(*) FROM roles)::int AS roles,
            (SELECT count(*) FROM member_roles)::int AS role_grants, (SELECT count(*) FROM role_permissions)::int AS role_permissions`,
  );
  return counts;
}

/** A space key holding authz:check, inserted as the API-key routes would store it; returns the plaintext. */
export async function insertBenchApiKey(ds: DataSource, apiKeySecret: string): Promise<string> {
  const id = `ak_${randomBytes(8).toString('hex')}`;
  const plaintext = `ply_ak_${id}.${randomBytes(32).toString('hex')}`;
  await ds.query(
    `INSERT INTO api_keys (id, name, key_prefix, key_hash, level, space_id, permission_keys) VALUES ($1, 'bench', $2, $3, 'space', $4, '["authz:check"]')`,
    [id, `ply_ak_${id}`, createHmac('sha256', apiKeySecret).update(plaintext).digest('hex'), BENCH_SPACE],
  );
  return plaintext;
}
