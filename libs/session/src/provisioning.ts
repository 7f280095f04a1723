import { ApiError } from '@plystra/http';
import { newId, pgErrorInfo, PG_UNIQUE_VIOLATION } from '@plystra/db';
import type { EntityManager } from 'typeorm';
import { normaliseEmail } from './actor';

export const DEFAULT_SPACE_ID = 'space_default';

export interface NewAccount {
  email: string;
  passwordHash: string | null;
  username?: string | null;
  phone?: string | null;
  memberDisplayName?: string | null;
  metadata?: Record<string, unknown>;
  emailVerified?: boolean;
  /** Name for the default space when this registration creates it. */
  defaultSpaceName?: string | null;
}

export interface ProvisionedAccount {
  userId: string;
  email: string;
  memberId: string | null;
  userMemberId: string | null;
  spaceId: string | null;
}

/** The 409 a duplicate email gets; the code is the caller's (Core and the plugin differ). */
export class DuplicateEmailError extends Error {}

/** Creates the user row; a duplicate email (any case) is a DuplicateEmailError. */
export async function insertUser(manager: EntityManager, account: NewAccount): Promise<string> {
  const userId = newId('user');
  try {
    await manager.query(
      `INSERT INTO users (id, email, username, phone, status, password_hash, password_changed_at, email_verified_at, metadata)
       VALUES ($1, $2, $3, $4, 'active', $5, CASE WHEN $5::text IS NULL THEN NULL ELSE now() END, CASE WHEN $6 THEN now() END, $7)`,
      [userId, normaliseEmail(account.email), account.username ?? null, account.phone ?? null, account.passwordHash, account.emailVerified ?? false, account.metadata ?? {}],
    );
  } catch (error) {
    if (pgErrorInfo(error)?.code === PG_UNIQUE_VIOLATION) throw new DuplicateEmailError('an account with this email already exists');
    throw error;
  }
  return userId;
}

/**
 * Simple-Mode provisioning shared by Core's registration and the auth plugin: an active user, a
 * member and a primary `self` binding in `space_default` (created if missing). Never any admin
 * grant. Runs inside the caller's transaction.
 */
export async function provisionDefaultSpaceAccount(manager: EntityManager, account: NewAccount): Promise<ProvisionedAccount> {
  await manager.query(
    `INSERT INTO spaces (id, name, type, metadata) VALUES ($1, $2, 'default', '{"source":"auth.register","mode":"simple"}')
     ON CONFLICT (id) DO NOTHING`,
    [DEFAULT_SPACE_ID, account.defaultSpaceName || 'Default Space'],
  );
  const [space] = await manager.query(`SELECT status, deleted_at FROM spaces WHERE id = $1`, [DEFAULT_SPACE_ID]);
  if (space.status !== 'active' || space.deleted_at) {
    throw ApiError.of('REGISTRATION_DISABLED', 'Registration is unavailable: the default space is disabled.');
  }
  const userId = await insertUser(manager, account);
  const email = normaliseEmail(account.email);
  const memberId = newId('member');
  const displayName = account.memberDisplayName?.trim() || account.username?.trim() || email.split('@')[0] || email;
  await manager.query(`INSERT INTO members (id, space_id, display_name, member_type) VALUES ($1, $2, $3, 'human')`, [memberId, DEFAULT_SPACE_ID, displayName]);
  const userMemberId = newId('um');
  await manager.query(
    `INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, status, is_primary, linked_at)
     VALUES ($1, $2, $3, $4, 'self', 'active', true, now())`,
    [userMemberId, userId, memberId, DEFAULT_SPACE_ID],
  );
  return { userId, email, memberId, userMemberId, spaceId: DEFAULT_SPACE_ID };
}
