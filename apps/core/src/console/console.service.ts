import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

const COUNTS_SQL = `
SELECT (SELECT count(*) FROM spaces WHERE deleted_at IS NULL) AS spaces,
       (SELECT count(*) FROM users WHERE deleted_at IS NULL) AS users,
       (SELECT count(*) FROM members WHERE deleted_at IS NULL) AS members,
       (SELECT count(*) FROM user_members WHERE deleted_at IS NULL) AS user_member_bindings,
       (SELECT count(*) FROM groups WHERE deleted_at IS NULL) AS groups,
       (SELECT count(*) FROM roles WHERE deleted_at IS NULL) AS roles,
       (SELECT count(*) FROM permissions WHERE deleted_at IS NULL) AS permissions,
       (SELECT count(*) FROM resource_types) AS resource_types,
       (SELECT count(*) FROM resources WHERE deleted_at IS NULL) AS resources,
       (SELECT count(*) FROM audit_logs) AS audit_logs`;

const RECENT_SQL = `
SELECT id, created_at, decision, deny_code, actor_user_id, actor_member_id, resource_type, resource_id, action
  FROM audit_logs ORDER BY created_at DESC, id DESC LIMIT 10`;

/** GET /console/overview (reference §2.3): what the instance holds, and the ten newest audit rows. */
@Injectable()
export class ConsoleService {
  constructor(private readonly dataSource: DataSource) {}

  async overview() {
    const [[counts], recent] = await Promise.all([this.dataSource.query(COUNTS_SQL), this.dataSource.query(RECENT_SQL)]);
    return {
      counts: Object.fromEntries(Object.entries(counts as Record<string, string>).map(([k, v]) => [k, Number(v)])),
      recent_audit_logs: recent,
    };
  }
}
