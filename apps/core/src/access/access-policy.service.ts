import { Injectable } from '@nestjs/common';
import { ApiError } from '@plystra/http';
import { DataSource } from 'typeorm';
import { permissionCovers } from './permission-keys';
import type { HeldPermission, Principal, Requirement } from './principal';

/** Requirements that scoped credentials may pass at the route, because the handler checks the real target. */
const HANDLER_RESOLVED = [/^api_keys:/, /^admin_grants:/, /^authz:check$/];

interface GroupRef {
  space_id: string;
  path: string;
}

const GROUP_CACHE_LIMIT = 10_000;

/**
 * Decides whether a principal's grants cover a requirement (core.md §8). Group paths and spaces
 * are immutable, so the small cache of them never needs invalidating; it is bounded and shared
 * by nothing outside this process.
 */
@Injectable()
export class AccessPolicy {
  private readonly groups = new Map<string, GroupRef | null>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * At the route (`target: false`) scoped credentials pass unscoped handler-resolved
   * requirements; on a real target an unscoped requirement means the whole instance.
   */
  async covers(principal: Principal, requirement: Requirement, { target = false } = {}): Promise<boolean> {
    if (principal.type === 'session' && principal.superAdmin) return true;
    const candidates = principal.held.filter((h) => permissionCovers(h.permissionKey, requirement.permission));
    if (candidates.length === 0) return false;
    const unscoped = !requirement.spaceId && !requirement.groupId;
    for (const held of candidates) {
      if (held.level === 'instance') return true;
      if (unscoped) {
        if (!target && HANDLER_RESOLVED.some((re) => re.test(requirement.permission))) return true;
        continue;
      }
      if (held.level === 'space' && requirement.spaceId && held.spaceId === requirement.spaceId) return true;
      if (held.level === 'group' && requirement.groupId && held.groupId && (await this.groupWithin(requirement.groupId, held.groupId))) return true;
    }
    return false;
  }

  async assert(principal: Principal, requirement: Requirement, options: { target?: boolean } = {}): Promise<void> {
    if (!(await this.covers(principal, requirement, options))) {
      throw new ApiError(403, 'ADMIN_PERMISSION_REQUIRED', `This credential lacks ${requirement.permission} here.`, {
        permission: requirement.permission,
        ...(requirement.spaceId ? { space_id: requirement.spaceId } : {}),
        ...(requirement.groupId ? { group_id: requirement.groupId } : {}),
      });
    }
  }

  /** Whether the credential could hand this permission on in this scope (delegation). */
  async canDelegate(principal: Principal, permissionKey: string, requirement: Omit<Requirement, 'permission'>): Promise<boolean> {
    if (permissionKey === '*') {
      if (principal.type === 'session' && principal.superAdmin) return true;
      return this.holdsStar(principal.held, requirement);
    }
    const permission = permissionKey.endsWith(':*') ? permissionKey.replace(/\*$/, 'manage') : permissionKey;
    return this.covers(principal, { ...requirement, permission }, { target: true });
  }

  private async holdsStar(held: HeldPermission[], requirement: Omit<Requirement, 'permission'>): Promise<boolean> {
    for (const h of held.filter((h) => h.permissionKey === '*')) {
      if (h.level === 'instance') return true;
      if (h.level === 'space' && requirement.spaceId && h.spaceId === requirement.spaceId) return true;
      if (h.level === 'group' && requirement.groupId && h.groupId && (await this.groupWithin(requirement.groupId, h.groupId))) return true;
    }
    return false;
  }

  /** A group is within another when they share a space and its path equals or extends the other's with a dot. */
  async groupWithin(groupId: string, ancestorId: string): Promise<boolean> {
    if (groupId === ancestorId) return true;
    const [group, ancestor] = await Promise.all([this.group(groupId), this.group(ancestorId)]);
    return !!group && !!ancestor && group.space_id === ancestor.space_id && group.path.startsWith(`${ancestor.path}.`);
  }

  private async group(id: string): Promise<GroupRef | null> {
    if (this.groups.has(id)) return this.groups.get(id)!;
    const [row] = await this.dataSource.query(`SELECT space_id, path FROM groups WHERE id = $1`, [id]);
    const value = row ? { space_id: row.space_id, path: row.path } : null;
    if (value) {
      if (this.groups.size >= GROUP_CACHE_LIMIT) this.groups.delete(this.groups.keys().next().value!);
      this.groups.set(id, value);
    }
    return value;
  }
}
