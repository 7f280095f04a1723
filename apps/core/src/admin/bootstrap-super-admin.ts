import { insertAuditRows, newId } from '@plystra/db';
import { authAuditRow } from '@plystra/session';
import type { DataSource, EntityManager } from 'typeorm';

/** The advisory lock registration takes too, so a CLI bootstrap and a bootstrap registration never both win. */
export const SUPER_ADMIN_BOOTSTRAP_LOCK_KEY = '750100601006';

export const BOOTSTRAP_SOURCE = 'plystra bootstrap-super-admin';

export interface BootstrapSuperAdminOptions {
  userId: string;
  memberId?: string;
  grantId?: string;
  /** What to do when an active super admin already exists: fail (default) or succeed without change. */
  ifExists?: 'error' | 'ok';
}

export type BootstrapSuperAdminResult =
  | { status: 'created'; grant_id: string; user_id: string; member_id: string | null; audit_log_id: string }
  | { status: 'exists'; existing_grant_ids: string[] };

export type BootstrapSuperAdminErrorCode = 'SUPER_ADMIN_EXISTS' | 'USER_NOT_FOUND' | 'USER_INACTIVE' | 'MEMBER_NOT_FOUND' | 'GRANT_ID_TAKEN';

export class BootstrapSuperAdminError extends Error {
  constructor(
    readonly code: BootstrapSuperAdminErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** `ag_<user id with -, . and @ as _>_instance_super_admin`. */
export function defaultSuperAdminGrantId(userId: string): string {
  return `ag_${userId.replace(/[-.@]/g, '_')}_instance_super_admin`;
}

/** Active, unexpired super-admin grants of active users: the ones that keep an instance administrable. */
async function activeSuperAdminGrantIds(m: EntityManager): Promise<string[]> {
  const rows: Array<{ id: string }> = await m.query(
    `SELECT g.id FROM admin_grants g JOIN users u ON u.id = g.user_id
      WHERE g.level = 'instance_super_admin' AND g.status = 'active' AND g.revoked_at IS NULL AND g.deleted_at IS NULL
        AND (g.expires_at IS NULL OR g.expires_at > now()) AND u.status = 'active' AND u.deleted_at IS NULL
      ORDER BY g.id`,
  );
  return rows.map((r) => r.id);
}

async function defaultMember(m: EntityManager, userId: string): Promise<{ member_id: string; space_id: string; user_member_id: string } | null> {
  const [row] = await m.query(
    `SELECT um.member_id, um.space_id, um.id AS user_member_id
       FROM user_members um JOIN members mb ON mb.id = um.member_id JOIN spaces s ON s.id = um.space_id
      WHERE um.user_id = $1 AND um.status = 'active' AND um.revoked_at IS NULL AND um.deleted_at IS NULL
        AND (um.expires_at IS NULL OR um.expires_at > now()) AND mb.status = 'active' AND mb.deleted_at IS NULL
        AND s.status = 'active' AND s.deleted_at IS NULL
      ORDER BY um.is_primary DESC, s.name, mb.display_name, um.id LIMIT 1`,
    [userId],
  );
  return row ?? null;
}

/**
 * Makes an existing user the first instance super admin (key `*`), from the shell (reference
 * §5.4). Refuses, or with `ifExists: 'ok'` changes nothing, when an active super admin exists.
 * The grant and its audit row commit together, under the registration lock.
 */
export async function bootstrapSuperAdmin(dataSource: DataSource, options: BootstrapSuperAdminOptions): Promise<BootstrapSuperAdminResult> {
  return dataSource.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(${SUPER_ADMIN_BOOTSTRAP_LOCK_KEY})`);
    const existing = await activeSuperAdminGrantIds(m);
    if (existing.length) {
      if (options.ifExists === 'ok') return { status: 'exists', existing_grant_ids: existing };
      throw new BootstrapSuperAdminError('SUPER_ADMIN_EXISTS', `an active instance super admin already exists (${existing.join(', ')})`);
    }
    const [user] = await m.query(`SELECT id, status FROM users WHERE id = $1 AND deleted_at IS NULL`, [options.userId]);
    if (!user) throw new BootstrapSuperAdminError('USER_NOT_FOUND', `user ${JSON.stringify(options.userId)} does not exist`);
    if (user.status !== 'active') throw new BootstrapSuperAdminError('USER_INACTIVE', `user ${JSON.stringify(options.userId)} is ${user.status}, not active`);

    let actor: { member_id: string; space_id: string; user_member_id?: string } | null;
    if (options.memberId) {
      const [member] = await m.query(`SELECT id AS member_id, space_id FROM members WHERE id = $1 AND deleted_at IS NULL`, [options.memberId]);
      if (!member) throw new BootstrapSuperAdminError('MEMBER_NOT_FOUND', `member ${JSON.stringify(options.memberId)} does not exist`);
      actor = { ...member, user_member_id: undefined };
    } else {
      actor = await defaultMember(m, options.userId);
    }

    const grantId = options.grantId ?? defaultSuperAdminGrantId(options.userId);
    const [taken] = await m.query(`SELECT 1 FROM admin_grants WHERE id = $1`, [grantId]);
    if (taken) throw new BootstrapSuperAdminError('GRANT_ID_TAKEN', `an admin grant with id ${JSON.stringify(grantId)} already exists; pass another --grant-id`);
    await m.query(
      `INSERT INTO admin_grants (id, user_id, member_id, level, permission_key, status, metadata)
       VALUES ($1, $2, $3, 'instance_super_admin', '*', 'active', $4)`,
      [grantId, options.userId, actor?.member_id ?? null, { source: BOOTSTRAP_SOURCE }],
    );
    const audit = authAuditRow({
      action: 'admin_grant.created',
      userId: options.userId,
      actor,
      resourceType: 'admin_grant',
      resourceId: grantId,
      reason: 'first instance super admin bootstrapped from the command line',
      details: { level: 'instance_super_admin', permission_key: '*', source: BOOTSTRAP_SOURCE },
      request: { requestId: newId('req'), ip: null, userAgent: BOOTSTRAP_SOURCE },
    });
    await insertAuditRows(m, [audit]);
    return { status: 'created', grant_id: grantId, user_id: options.userId, member_id: actor?.member_id ?? null, audit_log_id: audit.id };
  });
}
