import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BatchedStatement } from '@plystra/db';
import type { GroupRef, StoredGroups } from './context-mode';
import type {
  AuthzQuestion, Candidate, GroupSnapshot, MemberSnapshot, SpaceSnapshot, TargetSnapshot, UserMemberSnapshot, UserSnapshot,
} from './engine/decision.types';

export interface LoadedContext {
  registryVersion: string | null;
  /** The `api_key_version` token, to confirm an API key the guard served from its cache. */
  apiKeyVersion: string | null;
  user: UserSnapshot | null;
  member: MemberSnapshot | null;
  userMember: UserMemberSnapshot | null;
  space: SpaceSnapshot | null;
  target: TargetSnapshot | null;
  candidates: Candidate[];
}

export interface LoadPlan {
  actor: boolean;
  target: boolean;
  candidates: boolean;
}

/**
 * Everything a check reads, in one round trip: the registry and API-key version tokens, the actor
 * snapshot (user, member, binding, space by id), the stored target with its group, and the
 * candidate set (active member-roles × active roles × live role-permissions × active permissions
 * for this resource type and action, with anchor groups; one flat array per candidate, see
 * `candidateOf`). Each part is skipped when the plan says so. Concurrent checks share the
 * statement (a BatchedStatement): `$1` lists each check's question, and each check gets its own
 * row, by `ord`.
 */
export const LOAD_SQL = `
SELECT q.ord,
  (SELECT version FROM authz_registry_version WHERE id = 1) AS registry_version,
  (SELECT version FROM api_key_version WHERE id = 1) AS api_key_version,
  (SELECT json_build_object('id', u.id, 'email', u.email, 'status', u.status)
     FROM users u WHERE q.want_actor AND u.id = q.user_id AND u.deleted_at IS NULL) AS "user",
  (SELECT json_build_object('id', m.id, 'space_id', m.space_id, 'display_name', m.display_name, 'status', m.status)
     FROM members m WHERE q.want_actor AND m.id = q.member_id AND m.deleted_at IS NULL) AS member,
  (SELECT json_build_object('id', b.id, 'user_id', b.user_id, 'member_id', b.member_id, 'space_id', b.space_id,
          'relation_type', b.relation_type, 'status', b.status, 'is_primary', b.is_primary, 'expires_at', b.expires_at)
     FROM user_members b WHERE q.want_actor AND b.id = q.user_member_id AND b.deleted_at IS NULL) AS user_member,
  (SELECT json_build_object('id', s.id, 'name', s.name, 'status', s.status)
     FROM spaces s WHERE q.want_actor AND s.id = q.space_id AND s.deleted_at IS NULL) AS space,
  (SELECT json_build_object('id', r.id, 'external_id', r.external_id, 'type', r.resource_type, 'space_id', r.space_id,
          'group_id', r.group_id, 'owner_member_id', r.owner_member_id, 'display_name', r.display_name,
          'visibility', r.visibility, 'status', r.status,
          'group', CASE WHEN g.id IS NULL THEN NULL
                   ELSE json_build_object('id', g.id, 'space_id', g.space_id, 'path', g.path, 'status', g.status) END)
     FROM resources r LEFT JOIN groups g ON g.id = r.group_id AND g.deleted_at IS NULL
    WHERE q.want_target AND r.id = q.resource_id AND r.resource_type = q.resource_type AND r.deleted_at IS NULL) AS target,
  (SELECT coalesce(json_agg(json_build_array(ro.id, ro.key, ro.space_id, p.id, p.resource, p.action, p.scope,
            mr.id, mr.space_id, a.id, a.space_id, a.path, a.status)), '[]'::json)
     FROM member_roles mr
     JOIN roles ro ON ro.id = mr.role_id AND ro.status = 'active' AND ro.deleted_at IS NULL
     JOIN role_permissions rp ON rp.role_id = ro.id AND rp.deleted_at IS NULL
     JOIN permissions p ON p.id = rp.permission_id AND p.resource = q.resource_type AND p.action = q.action
                       AND p.status = 'active' AND p.deleted_at IS NULL
     LEFT JOIN groups a ON a.id = mr.scope_anchor_group_id AND a.deleted_at IS NULL
    WHERE q.want_candidates AND mr.member_id = q.member_id AND mr.status = 'active' AND mr.deleted_at IS NULL) AS candidates
FROM jsonb_to_recordset($1::jsonb) AS q(ord integer, user_id text, member_id text, user_member_id text, space_id text,
  resource_id text, resource_type text, action text, want_actor boolean, want_target boolean, want_candidates boolean)`;

const GROUPS_SQL = `
SELECT id, space_id, path, status FROM groups
 WHERE deleted_at IS NULL
   AND (id = ANY($1::text[]) OR (space_id, path) IN (SELECT s, p FROM unnest($2::text[], $3::text[]) AS x(s, p)))`;

const iso = (value: string | null) => (value ? new Date(value).toISOString() : null);

interface LoadRow {
  registry_version: string | null;
  api_key_version: string | null;
  user: UserSnapshot | null;
  member: MemberSnapshot | null;
  user_member: UserMemberSnapshot | null;
  space: SpaceSnapshot | null;
  target: TargetRow | null;
  candidates: CandidateRow[];
}

/** A candidate as the query sends it: role, permission, member-role, then the anchor group (nulls when none). */
type CandidateRow = [string, string, string, string, string, string, string, string, string, string | null, string, string, string];

/**
 * Flat arrays instead of nested JSON objects: half the bytes for PostgreSQL to build and Core to
 * parse, which matters for a member with many grants (figures in bench/findings.md).
 */
function candidateOf([roleId, roleKey, roleSpace, permissionId, resource, action, scope, memberRoleId, memberRoleSpace, anchorId, anchorSpace, anchorPath, anchorStatus]: CandidateRow): Candidate {
  return {
    role: { id: roleId, key: roleKey, space_id: roleSpace },
    permission: { id: permissionId, resource, action, scope },
    scope_anchor: anchorId === null ? null : { id: anchorId, space_id: anchorSpace, path: anchorPath, status: anchorStatus },
    member_role_id: memberRoleId,
    member_role_space_id: memberRoleSpace,
  };
}

interface TargetRow extends Omit<TargetSnapshot['resource'], 'group_path' | 'proposed'> {
  group: GroupSnapshot | null;
}

/** Reads the facts of one check; decides nothing. */
@Injectable()
export class AuthzContextRepository {
  private readonly loadStatement: BatchedStatement<LoadRow>;

  constructor(private readonly dataSource: DataSource) {
    this.loadStatement = new BatchedStatement(dataSource, 'plystra_authz_load_context', LOAD_SQL);
  }

  async load(q: AuthzQuestion, plan: LoadPlan): Promise<LoadedContext> {
    const row = await this.loadStatement.row({
      user_id: q.user_id, member_id: q.member_id, user_member_id: q.user_member_id, space_id: q.space_id, resource_id: q.resource_id,
      resource_type: q.resource_type, action: q.action, want_actor: plan.actor, want_target: plan.target, want_candidates: plan.candidates,
    });
    const { target, user_member: userMember } = row;
    return {
      registryVersion: row.registry_version ?? null,
      apiKeyVersion: row.api_key_version ?? null,
      user: row.user,
      member: row.member,
      userMember: userMember && { ...userMember, expires_at: iso(userMember.expires_at) },
      space: row.space,
      target: target && {
        resource: {
          id: target.id, external_id: target.external_id, type: target.type, space_id: target.space_id, group_id: target.group_id,
          group_path: target.group?.path ?? null, owner_member_id: target.owner_member_id, display_name: target.display_name,
          visibility: target.visibility, status: target.status, proposed: false,
        },
        group: target.group,
      },
      candidates: row.candidates.map(candidateOf),
    };
  }

  /** The stored groups that inline references name, by id or by (space, path). */
  async groups(refs: GroupRef[]): Promise<StoredGroups> {
    const ids = refs.flatMap((r) => (r.id ? [r.id] : []));
    const paths = refs.filter((r) => !r.id && r.path);
    const rows: GroupSnapshot[] = refs.length
      ? await this.dataSource.query(GROUPS_SQL, [ids, paths.map((r) => r.spaceId), paths.map((r) => r.path)])
      : [];
    return storedGroups(rows);
  }
}

export function storedGroups(rows: GroupSnapshot[]): StoredGroups {
  const byId = new Map(rows.map((g) => [g.id, g]));
  const byPath = new Map(rows.map((g) => [`${g.space_id}\0${g.path}`, g]));
  return { byId: (id) => byId.get(id), byPath: (spaceId, path) => byPath.get(`${spaceId}\0${path}`) };
}
