import { type TestDatabase, createTestDatabase } from '@plystra/db/testing';
import { managementPgError } from '../../src/identity/management/pg-conflicts';
import { seedDemo } from '../../src/demo/demo-seed';

/**
 * The same-space and uniqueness rules hold in the database itself, whatever the service checks;
 * and a violation that slips past the service (a race) is answered with the entity's own code.
 */
describe('database invariants behind the management API (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
    await db.dataSource.query(`INSERT INTO spaces (id, name) VALUES ('space_other', 'Other')`);
    await db.dataSource.query(`INSERT INTO groups (id, space_id, name, path) VALUES ('group_other', 'space_other', 'Other', 'other')`);
    await db.dataSource.query(`INSERT INTO members (id, space_id, display_name) VALUES ('member_other', 'space_other', 'Other')`);
    await db.dataSource.query(`INSERT INTO roles (id, space_id, key, name) VALUES ('role_other', 'space_other', 'other', 'Other')`);
  });
  afterAll(() => db.drop());

  const answerTo = async (sql: string) => {
    const error = await db.dataSource.query(sql).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    const answer = managementPgError(error);
    return answer && { status: answer.status, code: answer.code };
  };

  it.each([
    ['a resource in a group of another space', `INSERT INTO resources (id, resource_type, space_id, group_id) VALUES ('r1', 'invoice', 'space_acme', 'group_other')`, 404, 'GROUP_NOT_FOUND'],
    ['a resource owned by a member of another space', `INSERT INTO resources (id, resource_type, space_id, owner_member_id) VALUES ('r2', 'invoice', 'space_acme', 'member_other')`, 404, 'MEMBER_NOT_FOUND'],
    ['a resource of an unregistered type', `INSERT INTO resources (id, resource_type, space_id) VALUES ('r3', 'spaceship', 'space_acme')`, 404, 'RESOURCE_TYPE_NOT_FOUND'],
    ['a grant to a member of another space', `INSERT INTO member_roles (id, member_id, role_id, space_id) VALUES ('mr1', 'member_other', 'role_finance_approver', 'space_acme')`, 404, 'MEMBER_NOT_FOUND'],
    ['a grant of a role of another space', `INSERT INTO member_roles (id, member_id, role_id, space_id) VALUES ('mr2', 'member_finance_reviewer', 'role_other', 'space_acme')`, 404, 'ROLE_NOT_FOUND'],
    ['a grant anchored in another space', `INSERT INTO member_roles (id, member_id, role_id, space_id, scope_anchor_group_id) VALUES ('mr3', 'member_finance_reviewer', 'role_finance_approver', 'space_acme', 'group_other')`, 404, 'GROUP_NOT_FOUND'],
    ['a binding to a member of another space', `INSERT INTO user_members (id, user_id, member_id, space_id, relation_type) VALUES ('um1', 'user_bob', 'member_other', 'space_acme', 'self')`, 404, 'MEMBER_NOT_FOUND'],
    ['a child group under a parent of another space', `INSERT INTO groups (id, space_id, parent_group_id, name, path) VALUES ('g1', 'space_acme', 'group_other', 'x', 'other.x')`, 404, 'GROUP_NOT_FOUND'],
    ['a child path that does not extend its parent', `INSERT INTO groups (id, space_id, parent_group_id, name, path) VALUES ('g2', 'space_acme', 'group_finance', 'x', 'financex.apac')`, 400, 'VALIDATION_FAILED'],
    ['a second user with the same email in another case', `INSERT INTO users (id, email) VALUES ('u1', 'ALICE@example.com')`, 409, 'USER_CONFLICT'],
    ['a second space with the same slug', `INSERT INTO spaces (id, name, slug) VALUES ('s1', 'Acme 2', 'acme')`, 409, 'SPACE_CONFLICT'],
    ['a second role with the same key in a space', `INSERT INTO roles (id, space_id, key, name) VALUES ('ro1', 'space_acme', 'finance_approver', 'x')`, 409, 'ROLE_CONFLICT'],
    ['a second permission with the same triple', `INSERT INTO permissions (id, resource, action, scope) VALUES ('p1', 'invoice', 'approve', 'group_tree')`, 409, 'PERMISSION_CONFLICT'],
    ['a second identical grant', `INSERT INTO member_roles (id, member_id, role_id, space_id, scope_anchor_group_id) VALUES ('mr4', 'member_finance_reviewer', 'role_finance_approver', 'space_acme', 'group_finance')`, 409, 'MEMBER_ROLE_CONFLICT'],
    ['a second identical role-permission', `INSERT INTO role_permissions (id, role_id, permission_id) VALUES ('rp1', 'role_finance_approver', 'perm_invoice_approve_group_tree')`, 409, 'ROLE_PERMISSION_CONFLICT'],
    ['a taken group id', `INSERT INTO groups (id, space_id, name, path) VALUES ('group_finance', 'space_other', 'x', 'x')`, 409, 'GROUP_CONFLICT'],
  ])('refuses %s', async (_name, sql, status, code) => {
    expect(await answerTo(sql)).toEqual({ status, code });
  });

  it('refuses hard deletes and path changes', async () => {
    await expect(db.dataSource.query(`DELETE FROM members WHERE id = 'member_other'`)).rejects.toThrow(/never hard-deleted/);
    await expect(db.dataSource.query(`UPDATE groups SET path = 'moved' WHERE id = 'group_other'`)).rejects.toThrow(/immutable/);
    await expect(db.dataSource.query(`INSERT INTO permissions (id, resource, action, scope, status) VALUES ('p2', 'invoice', 'x', 'global', 'active')`)).rejects.toThrow(/permissions_global_disabled/);
  });
});
