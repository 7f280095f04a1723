import { BatchedStatement } from '@plystra/db';
import { DataSource, type EntityManager } from 'typeorm';

/** The actor a session acts as: one active binding of its user. */
export interface Actor {
  user_id: string;
  member_id: string;
  user_member_id: string;
  space_id: string;
}

export interface AvailableMember {
  user_member_id: string;
  user_id: string;
  user_email: string;
  member_id: string;
  member_display_name: string;
  space_id: string;
  space_name: string;
  relation_type: string;
  is_primary: boolean;
}

type Db = DataSource | EntityManager;

/** The usable bindings of the user `userId` names (a parameter or a column), unordered. */
const usableBindingsOf = (userId: string) => `SELECT um.id AS user_member_id, um.user_id, u.email AS user_email, um.member_id,
            m.display_name AS member_display_name, um.space_id, s.name AS space_name, um.relation_type, um.is_primary
       FROM user_members um
       JOIN users u ON u.id = um.user_id
       JOIN members m ON m.id = um.member_id
       JOIN spaces s ON s.id = um.space_id
      WHERE um.user_id = ${userId} AND um.status = 'active' AND um.deleted_at IS NULL AND um.revoked_at IS NULL
        AND (um.expires_at IS NULL OR um.expires_at > now())
        AND m.status = 'active' AND m.deleted_at IS NULL AND s.status = 'active' AND s.deleted_at IS NULL`;
const ORDER = (row: string) => `${row}is_primary DESC, ${row}space_name, ${row}member_display_name, ${row}user_member_id`;

const AVAILABLE_MEMBERS_SQL = `${usableBindingsOf('$1')} ORDER BY ${ORDER('')}`;

/** The same for concurrent callers at once (a BatchedStatement): one row per caller, its bindings as a JSON array. */
const BATCHED_AVAILABLE_MEMBERS_SQL = `SELECT q.ord,
       coalesce((SELECT json_agg(b ORDER BY ${ORDER('b.')}) FROM (${usableBindingsOf('q.user_id')}) AS b), '[]'::json) AS members
  FROM jsonb_to_recordset($1::jsonb) AS q(ord integer, user_id text)`;

const batchedLookups = new WeakMap<DataSource, BatchedStatement<{ members: AvailableMember[] }>>();

/**
 * The bindings a user can act through now: binding active, not revoked, not expired; member and
 * space active. Ordered primary first, then space name, then member name. Outside a transaction
 * (every `/actor/context`) concurrent callers share one named statement on the data source's pool.
 */
export async function availableMembers(db: Db, userId: string): Promise<AvailableMember[]> {
  if (!(db instanceof DataSource)) return db.query(AVAILABLE_MEMBERS_SQL, [userId]);
  let lookup = batchedLookups.get(db);
  if (!lookup) {
    lookup = new BatchedStatement(db, 'plystra_available_members', BATCHED_AVAILABLE_MEMBERS_SQL);
    batchedLookups.set(db, lookup);
  }
  return (await lookup.row({ user_id: userId })).members;
}

export function actorOf(member: AvailableMember): Actor {
  return { user_id: member.user_id, member_id: member.member_id, user_member_id: member.user_member_id, space_id: member.space_id };
}

/** Normalises an email for lookup and storage keys: trimmed and lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
