import { randomBytes } from 'node:crypto';
import { newId } from '@plystra/db';
import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { PasswordHasher, SessionService, TokenHasher, provisionDefaultSpaceAccount } from '@plystra/session';
import { seedDemo } from '../../apps/core/src/demo/demo-seed';
import { SECRETS } from './env';

export type { TestDatabase };

/** A fresh, fully migrated database on the run's PostgreSQL (Core, plugin and SMTP tables), optionally with the demo data. */
export async function freshDatabase(options: { seed?: boolean } = {}): Promise<TestDatabase> {
  const db = await createTestDatabase();
  if (options.seed !== false) await seedDemo(db.dataSource);
  return db;
}

export interface Credential {
  userId: string;
  token: string;
  refreshToken: string;
  authorization: string;
}

/**
 * An instance super admin with a session minted by the real SessionService under the services'
 * secret (what a login does after the password check), so no Argon2 is paid for the setup.
 */
export async function superAdmin(db: Pick<TestDatabase, 'dataSource'>): Promise<Credential> {
  const userId = newId('user');
  await db.dataSource.query(`INSERT INTO users (id, email, status) VALUES ($1, $2, 'active')`, [userId, `${userId}@admins.example`]);
  await db.dataSource.query(
    `INSERT INTO admin_grants (id, user_id, level, permission_key, status) VALUES ($1, $2, 'instance_super_admin', '*', 'active')`,
    [newId('ag'), userId],
  );
  const sessions = new SessionService(db.dataSource, new TokenHasher(SECRETS.sessionSecret));
  const issued = await sessions.create(userId, null, { ip: null, userAgent: null });
  return { userId, token: issued.access_token, refreshToken: issued.refresh_token, authorization: `Bearer ${issued.access_token}` };
}

/** An API key row with a known plaintext, hashed exactly as Core does. */
export async function apiKey(db: Pick<TestDatabase, 'dataSource'>, permissionKeys: string[] = ['*'], level: 'instance' | 'space' | 'group' = 'instance'): Promise<{ id: string; plaintext: string }> {
  const id = newId('ak');
  const plaintext = `ply_ak_${id}.${randomBytes(32).toString('hex')}`;
  await db.dataSource.query(
    `INSERT INTO api_keys (id, name, key_prefix, key_hash, level, space_id, group_id, permission_keys, status)
     VALUES ($1, $1, $2, $3, $4, $5, $6, $7::jsonb, 'active')`,
    [id, `ply_ak_${id}`, new TokenHasher(SECRETS.apiKeySecret).hash(plaintext), level, level === 'instance' ? null : 'space_acme', level === 'group' ? 'group_finance' : null, JSON.stringify(permissionKeys)],
  );
  return { id, plaintext };
}

const passwords = new PasswordHasher();
const hashes = new Map<string, Promise<string>>();

/** An active user with a password, a member and a primary binding in space_default (as registration makes it). */
export async function passwordUser(db: TestDatabase, email: string, password: string | null) {
  if (password && !hashes.has(password)) hashes.set(password, passwords.hash(password));
  const passwordHash = password ? await hashes.get(password)! : null;
  return db.dataSource.transaction((manager) => provisionDefaultSpaceAccount(manager, { email, passwordHash }));
}

/** Writes plugin settings with plain SQL, as an operator would. */
export async function writePluginSettings(db: TestDatabase, values: Record<string, unknown>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    const [, count] = await db.dataSource.query(`UPDATE plugin_auth_settings SET value = $2::jsonb, updated_by = 'reliability' WHERE key = $1`, [key, JSON.stringify(value)]);
    if (!count) throw new Error(`no plugin setting ${key}`);
  }
}

/** Stores SMTP provider settings rows before the provider starts (it reads them once). */
export async function writeSmtpSettings(db: TestDatabase, values: Record<string, unknown>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    await db.dataSource.query(
      `INSERT INTO plugin_email_smtp_settings (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, JSON.stringify(value)],
    );
  }
}
