import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ScopeRef } from './access.decorators';

/**
 * Resolves an entity to the space and group it really lives in, read from the database, so a
 * scoped credential is checked against the truth and not against what the client claims. An
 * unknown entity resolves to an empty scope: only instance-wide credentials pass, and the handler
 * then answers 404.
 */
@Injectable()
export class ScopeResolver {
  constructor(private readonly dataSource: DataSource) {}

  private async one(sql: string, params: unknown[]): Promise<ScopeRef> {
    const [row] = await this.dataSource.query(sql, params);
    return row ? { spaceId: row.space_id ?? null, groupId: row.group_id ?? null } : {};
  }

  space(id: string | undefined): ScopeRef {
    return { spaceId: id ?? null };
  }

  group(id: string): Promise<ScopeRef> {
    return this.one(`SELECT space_id, id AS group_id FROM groups WHERE id = $1`, [id]);
  }

  member(id: string): Promise<ScopeRef> {
    return this.one(`SELECT space_id FROM members WHERE id = $1`, [id]);
  }

  userMember(id: string): Promise<ScopeRef> {
    return this.one(`SELECT space_id FROM user_members WHERE id = $1`, [id]);
  }

  role(id: string): Promise<ScopeRef> {
    return this.one(`SELECT space_id FROM roles WHERE id = $1`, [id]);
  }

  memberRole(id: string): Promise<ScopeRef> {
    return this.one(`SELECT space_id FROM member_roles WHERE id = $1`, [id]);
  }

  resource(id: string): Promise<ScopeRef> {
    return this.one(`SELECT space_id, group_id FROM resources WHERE id = $1`, [id]);
  }

  auditLog(id: string): Promise<ScopeRef> {
    return this.one(`SELECT space_id FROM audit_logs WHERE id = $1`, [id]);
  }
}
