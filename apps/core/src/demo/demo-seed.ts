import { PasswordHasher } from '@plystra/session';
import type { DataSource } from 'typeorm';

export const DEMO_PASSWORD = 'plystra-demo';

/**
 * The "Finance Reviewer" demo (core.md §10). Idempotent: every row is inserted only when absent,
 * so running it twice changes nothing and never overwrites an operator's edits.
 */
export async function seedDemo(dataSource: DataSource, passwords = new PasswordHasher()): Promise<{ created: boolean }> {
  const [existing] = await dataSource.query(`SELECT 1 FROM users WHERE id = 'user_alice'`);
  const [aliceHash, bobHash] = existing ? [null, null] : await Promise.all([passwords.hash(DEMO_PASSWORD), passwords.hash(DEMO_PASSWORD)]);
  await dataSource.transaction(async (m) => {
    const q = (sql: string, params: unknown[] = []) => m.query(sql, params);
    if (aliceHash && bobHash) {
      await q(
        `INSERT INTO users (id, email, status, password_hash, password_changed_at) VALUES
           ('user_alice', 'alice@example.com', 'active', $1, now()), ('user_bob', 'bob@example.com', 'active', $2, now())
         ON CONFLICT DO NOTHING`,
        [aliceHash, bobHash],
      );
    }
    await q(`INSERT INTO spaces (id, name, slug, type) VALUES ('space_acme', 'Acme', 'acme', 'custom') ON CONFLICT DO NOTHING`);
    const groups: Array<[string, string, string | null, string]> = [
      ['group_finance', 'finance', null, 'Finance'],
      ['group_finance_apac', 'finance.apac', 'group_finance', 'Finance APAC'],
      ['group_finance_emea', 'finance.emea', 'group_finance', 'Finance EMEA'],
      ['group_legal', 'legal', null, 'Legal'],
      ['group_legal_emea', 'legal.emea', 'group_legal', 'Legal EMEA'],
    ];
    for (const [id, path, parent, name] of groups) {
      await q(`INSERT INTO groups (id, space_id, parent_group_id, name, display_name, path) VALUES ($1, 'space_acme', $2, $3, $3, $4) ON CONFLICT DO NOTHING`, [id, parent, name, path]);
    }
    await q(
      `INSERT INTO members (id, space_id, display_name) VALUES
         ('member_finance_reviewer', 'space_acme', 'Finance Reviewer'), ('member_invoice_creator', 'space_acme', 'Invoice Creator')
       ON CONFLICT DO NOTHING`,
    );
    await q(
      `INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, status, is_primary, expires_at, linked_at, revoked_at, revoked_reason) VALUES
         ('um_alice_finance_reviewer', 'user_alice', 'member_finance_reviewer', 'space_acme', 'delegate', 'active', true, NULL, now(), NULL, NULL),
         ('um_bob_finance_reviewer', 'user_bob', 'member_finance_reviewer', 'space_acme', 'login', 'active', true, NULL, now(), NULL, NULL),
         ('um_alice_finance_reviewer_revoked', 'user_alice', 'member_finance_reviewer', 'space_acme', 'delegate', 'revoked', false, NULL, now(), now(), 'demo: revoked binding'),
         ('um_alice_finance_reviewer_expired', 'user_alice', 'member_finance_reviewer', 'space_acme', 'delegate', 'active', false, '2020-01-01T00:00:00Z', now(), NULL, NULL)
       ON CONFLICT DO NOTHING`,
    );
    await q(`INSERT INTO roles (id, space_id, key, name) VALUES ('role_finance_approver', 'space_acme', 'finance_approver', 'Finance Approver') ON CONFLICT DO NOTHING`);
    await q(`INSERT INTO permissions (id, resource, action, scope) VALUES ('perm_invoice_approve_group_tree', 'invoice', 'approve', 'group_tree') ON CONFLICT DO NOTHING`);
    await q(`INSERT INTO role_permissions (id, role_id, permission_id) VALUES ('rp_finance_approver_invoice_approve', 'role_finance_approver', 'perm_invoice_approve_group_tree') ON CONFLICT DO NOTHING`);
    await q(
      `INSERT INTO member_roles (id, member_id, role_id, space_id, scope_anchor_group_id)
       VALUES ('mr_finance_reviewer_approver', 'member_finance_reviewer', 'role_finance_approver', 'space_acme', 'group_finance') ON CONFLICT DO NOTHING`,
    );
    await q(`INSERT INTO resource_types (id, key, display_name, description) VALUES ('rt_invoice', 'invoice', 'Invoice', 'Customer invoices') ON CONFLICT DO NOTHING`);
    const actions: Array<[string, string, string]> = [
      ['read', 'Read', 'normal'], ['create', 'Create', 'normal'], ['update', 'Update', 'normal'],
      ['approve', 'Approve', 'high'], ['reject', 'Reject', 'high'], ['delete', 'Delete', 'critical'],
    ];
    for (const [key, name, risk] of actions) {
      await q(`INSERT INTO resource_actions (id, resource_type_id, key, display_name, risk_level) VALUES ($1, 'rt_invoice', $2, $3, $4) ON CONFLICT DO NOTHING`, [`ra_invoice_${key}`, key, name, risk]);
    }
    await q(
      `INSERT INTO resource_mappings (id, resource_type_id, storage_kind, table_name, group_field, owner_member_field, visibility_field)
       VALUES ('rm_invoice', 'rt_invoice', 'internal_table', 'resources', 'group_id', 'owner_member_id', 'visibility') ON CONFLICT DO NOTHING`,
    );
    await q(
      `INSERT INTO resources (id, resource_type, external_id, space_id, group_id, owner_member_id, display_name) VALUES
         ('invoice_001', 'invoice', 'INV-001', 'space_acme', 'group_finance_apac', 'member_invoice_creator', 'Invoice 001'),
         ('invoice_002', 'invoice', 'INV-002', 'space_acme', 'group_legal_emea', 'member_invoice_creator', 'Invoice 002')
       ON CONFLICT DO NOTHING`,
    );
  });
  return { created: !existing };
}
