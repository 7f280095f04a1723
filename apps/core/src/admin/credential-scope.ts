import { governedJsonProblems } from '@plystra/db';
import { ApiError, type FieldProblem } from '@plystra/http';
import type { DataSource, EntityManager } from 'typeorm';
import type { GrantLevel } from '../access/principal';

export type ScopeLevel = 'instance' | 'space' | 'group';

/** Where a grant or an API key applies: neither id for the whole instance. */
export interface CredentialScope {
  spaceId: string | null;
  groupId: string | null;
}

export function scopeLevelOfGrant(level: GrantLevel): ScopeLevel {
  return level === 'space_admin' ? 'space' : level === 'group_admin' ? 'group' : 'instance';
}

export function isInstanceScope(scope: CredentialScope): boolean {
  return !scope.spaceId && !scope.groupId;
}

function refuse(field: string, message: string): never {
  const problem: FieldProblem = { field, message };
  throw ApiError.validation(`${field} ${message}.`, [problem]);
}

/**
 * The real scope of a new grant or key, from its level and the ids the client sent: `instance`
 * sets neither; `space` needs an existing space and no group; `group` needs an existing group and
 * takes the group's space (a space_id that was sent must be that one).
 */
export async function resolveCredentialScope(
  db: DataSource | EntityManager,
  level: ScopeLevel,
  input: { space_id?: string | null; group_id?: string | null },
): Promise<CredentialScope> {
  if (level === 'instance') {
    if (input.space_id) refuse('space_id', 'must be empty for an instance-level credential');
    if (input.group_id) refuse('group_id', 'must be empty for an instance-level credential');
    return { spaceId: null, groupId: null };
  }
  if (level === 'space') {
    if (!input.space_id) refuse('space_id', 'is required for a space-level credential');
    if (input.group_id) refuse('group_id', 'must be empty for a space-level credential');
    const [space] = await db.query(`SELECT id FROM spaces WHERE id = $1 AND deleted_at IS NULL`, [input.space_id]);
    if (!space) throw ApiError.notFound('SPACE', input.space_id!);
    return { spaceId: space.id, groupId: null };
  }
  if (!input.group_id) refuse('group_id', 'is required for a group-level credential');
  const [group] = await db.query(`SELECT id, space_id FROM groups WHERE id = $1 AND deleted_at IS NULL`, [input.group_id]);
  if (!group) throw ApiError.notFound('GROUP', input.group_id!);
  if (input.space_id && input.space_id !== group.space_id) refuse('space_id', `must be the group's space (${group.space_id})`);
  return { spaceId: group.space_id, groupId: group.id };
}

/** `expires_at`, when sent, must lie in the future: a credential born expired is a mistake. */
export function futureExpiry(value: string | undefined): Date | null {
  if (value === undefined) return null;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || at.getTime() <= Date.now()) refuse('expires_at', 'must be a time in the future');
  return at;
}

/** Metadata must be governed JSON (bounded, no secret-looking keys). */
export function checkedMetadata(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  if (metadata === undefined) return {};
  const problems = governedJsonProblems(metadata);
  if (problems.length) throw ApiError.validation(`metadata ${problems[0]}.`, problems.map((message) => ({ field: 'metadata', message })));
  return metadata;
}
