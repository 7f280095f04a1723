import { createTestDatabase, insertMember, insertUser, type TestDatabase } from '@plystra/db/testing';
import {
  BOOTSTRAP_SOURCE, BootstrapSuperAdminError, bootstrapSuperAdmin, defaultSuperAdminGrantId,
} from '../../src/admin/bootstrap-super-admin';
import { seedDemo } from '../../src/demo/demo-seed';

describe('bootstrapSuperAdmin (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
  });
  afterAll(() => db.drop());
  // Each case starts without any admin grant; users are never deleted, so cases create their own.
  beforeEach(() => db.dataSource.query(`DELETE FROM admin_grants`));

  const grants = () =>
    db.dataSource.query(`SELECT id, user_id, member_id, level, permission_key, status, space_id, group_id, metadata FROM admin_grants ORDER BY id`);
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(BootstrapSuperAdminError);
    return (error as BootstrapSuperAdminError).code;
  };

  it('derives the default grant id from the user id', () => {
    expect(defaultSuperAdminGrantId('user_alice')).toBe('ag_user_alice_instance_super_admin');
    expect(defaultSuperAdminGrantId('ops-lead.eu@acme')).toBe('ag_ops_lead_eu_acme_instance_super_admin');
  });

  it('grants "*" at instance level, naming one of the user\'s active bindings, with an audit row', async () => {
    const result = await bootstrapSuperAdmin(db.dataSource, { userId: 'user_alice', ifExists: 'error' });
    expect(result).toEqual({ status: 'created', grant_id: 'ag_user_alice_instance_super_admin', user_id: 'user_alice', member_id: 'member_finance_reviewer', audit_log_id: expect.stringMatching(/^audit_/) });
    expect(await grants()).toEqual([{
      id: 'ag_user_alice_instance_super_admin', user_id: 'user_alice', member_id: 'member_finance_reviewer', level: 'instance_super_admin',
      permission_key: '*', status: 'active', space_id: null, group_id: null, metadata: { source: BOOTSTRAP_SOURCE },
    }]);
    const [audit] = await db.dataSource.query(`SELECT id, action, actor_user_id, resource_type, resource_id FROM audit_logs WHERE id = $1`, [(result as { audit_log_id: string }).audit_log_id]);
    expect(audit).toEqual({ id: (result as { audit_log_id: string }).audit_log_id, action: 'admin_grant.created', actor_user_id: 'user_alice', resource_type: 'admin_grant', resource_id: 'ag_user_alice_instance_super_admin' });
  });

  it('refuses when an active super admin exists, or with ifExists "ok" changes nothing', async () => {
    await bootstrapSuperAdmin(db.dataSource, { userId: 'user_alice', ifExists: 'error' });
    expect(await failure(bootstrapSuperAdmin(db.dataSource, { userId: 'user_bob', ifExists: 'error' }))).toBe('SUPER_ADMIN_EXISTS');
    expect(await bootstrapSuperAdmin(db.dataSource, { userId: 'user_bob', ifExists: 'ok' })).toEqual({ status: 'exists', existing_grant_ids: ['ag_user_alice_instance_super_admin'] });
    expect(await grants()).toHaveLength(1);
  });

  it('ignores revoked, expired and disabled-user super admins when deciding whether one exists', async () => {
    await db.dataSource.query(
      `INSERT INTO admin_grants (id, user_id, level, permission_key, status, revoked_at, expires_at) VALUES
         ('ag_revoked', 'user_bob', 'instance_super_admin', '*', 'revoked', now(), NULL),
         ('ag_expired', 'user_bob', 'instance_super_admin', '*', 'active', NULL, now() - interval '1 day')`,
    );
    const disabled = await insertUser(db.dataSource, { status: 'disabled' });
    await db.dataSource.query(`INSERT INTO admin_grants (id, user_id, level, permission_key) VALUES ('ag_disabled_user', $1, 'instance_super_admin', '*')`, [disabled.id]);
    const result = await bootstrapSuperAdmin(db.dataSource, { userId: 'user_bob', grantId: 'ag_bob_root', ifExists: 'error' });
    expect(result).toMatchObject({ status: 'created', grant_id: 'ag_bob_root', member_id: 'member_finance_reviewer' });
  });

  it('checks the user, the member and the grant id', async () => {
    expect(await failure(bootstrapSuperAdmin(db.dataSource, { userId: 'user_nobody', ifExists: 'error' }))).toBe('USER_NOT_FOUND');
    const disabled = await insertUser(db.dataSource, { status: 'disabled' });
    expect(await failure(bootstrapSuperAdmin(db.dataSource, { userId: disabled.id, ifExists: 'error' }))).toBe('USER_INACTIVE');
    expect(await failure(bootstrapSuperAdmin(db.dataSource, { userId: 'user_alice', memberId: 'member_nobody', ifExists: 'error' }))).toBe('MEMBER_NOT_FOUND');
    await db.dataSource.query(`INSERT INTO admin_grants (id, user_id, level, permission_key, status, revoked_at) VALUES ('ag_user_alice_instance_super_admin', 'user_alice', 'instance_admin', 'users:read', 'revoked', now())`);
    expect(await failure(bootstrapSuperAdmin(db.dataSource, { userId: 'user_alice', ifExists: 'error' }))).toBe('GRANT_ID_TAKEN');
    expect(await grants()).toHaveLength(1);

    const member = await insertMember(db.dataSource, 'space_acme');
    const loner = await insertUser(db.dataSource);
    expect(await bootstrapSuperAdmin(db.dataSource, { userId: loner.id, memberId: member, ifExists: 'error' })).toMatchObject({ status: 'created', member_id: member });
  });

  it('a user without a usable binding gets a grant without a member', async () => {
    const loner = await insertUser(db.dataSource);
    expect(await bootstrapSuperAdmin(db.dataSource, { userId: loner.id, ifExists: 'error' })).toMatchObject({ status: 'created', member_id: null });
  });

  it('of several concurrent bootstraps exactly one wins', async () => {
    const users = await Promise.all([0, 1, 2, 3, 4].map(() => insertUser(db.dataSource)));
    const results = await Promise.allSettled(users.map((u) => bootstrapSuperAdmin(db.dataSource, { userId: u.id, ifExists: 'error' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect((r.reason as BootstrapSuperAdminError).code).toBe('SUPER_ADMIN_EXISTS');
    expect(await grants()).toHaveLength(1);
  });
});
