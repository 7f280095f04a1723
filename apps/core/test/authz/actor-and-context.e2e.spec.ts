import { insertMember, insertSpace, insertUser, insertUserMember } from '@plystra/db/testing';
import { PasswordHasher } from '@plystra/session';
import { AuthzRegistryCache } from '../../src/authz/authz-registry.cache';
import { startCore, type CoreTestApp } from '../core-test-app';
import { alice, bob, grantAdmin, insertApiKey, login, withKey, withSession } from './authz-test-kit';

const ACME = 'space_acme';
const approve001 = { resource_type: 'invoice', resource_id: 'invoice_001', action: 'approve' };

/** Actor resolution (reference §3.1) and Context Mode (reference §3.5) through HTTP. */
describe('authz check: actors, sessions, API keys and Context Mode (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  let acmeKey: string;
  let betaKey: string;
  let aliceToken: string;
  beforeAll(async () => {
    core = await startCore();
    const ds = core.db.dataSource;
    await insertSpace(ds, { id: 'space_beta', name: 'Beta' });
    acmeKey = await insertApiKey(ds, { level: 'space', spaceId: ACME });
    betaKey = await insertApiKey(ds, { level: 'space', spaceId: 'space_beta' });
    await grantAdmin(ds, 'user_alice', 'space_admin', 'authz:check', { spaceId: ACME });
    aliceToken = await login(core, 'alice@example.com');
  });
  afterAll(() => core.close());

  describe('API keys', () => {
    it('must name the actor (400), with all four ids', async () => {
      const none = await withKey(core, acmeKey, 'check', approve001).expect(400);
      expect(none.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'actor' }] } });
      await withKey(core, acmeKey, 'check', { actor: {}, ...approve001 }).expect(400);
      const partial = await withKey(core, acmeKey, 'check', { actor: { user_id: 'user_alice', member_id: 'member_finance_reviewer' }, ...approve001 }).expect(400);
      expect(partial.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['actor.user_member_id', 'actor.space_id']);
    });

    it('accepts binding_id as the alias of user_member_id, and refuses two different ones', async () => {
      const { user_member_id, ...rest } = alice;
      const res = await withKey(core, acmeKey, 'check', { actor: { ...rest, binding_id: user_member_id }, ...approve001 }).expect(200);
      expect(res.body.data.audit).toMatchObject({ actor_user_member_id: 'um_alice_finance_reviewer', decision: 'allow' });
      await withKey(core, acmeKey, 'check', { actor: { ...alice, binding_id: 'um_bob_finance_reviewer' }, ...approve001 }).expect(400);
    });

    it('cannot check in another space (403), nor without authz:check', async () => {
      const other = await withKey(core, betaKey, 'check', { actor: alice, ...approve001 }).expect(403);
      expect(other.body.error).toMatchObject({ code: 'ADMIN_PERMISSION_REQUIRED', details: { permission: 'authz:check' } });
      const readOnly = await insertApiKey(core.db.dataSource, { level: 'space', spaceId: ACME, permissionKeys: ['audit:read'] });
      await withKey(core, readOnly, 'check', { actor: alice, ...approve001 }).expect(403);
      await core.http.post('/api/v1/authz/check').send({ actor: alice, ...approve001 }).expect(401);
    });

    it('a group key checks inside its group only', async () => {
      const key = await insertApiKey(core.db.dataSource, { level: 'group', spaceId: ACME, groupId: 'group_finance' });
      expect((await withKey(core, key, 'check', { actor: alice, ...approve001 }).expect(200)).body.data.allow).toBe(true);
      expect((await withKey(core, key, 'check', { actor: alice, ...approve001, resource_id: 'invoice_002' }).expect(403)).body.error.code).toBe('ADMIN_PERMISSION_REQUIRED');
    });

    it('answers 404 with the entity code for unknown ids, and 403 before 404 for a key of another space', async () => {
      const cases: Array<[object, string]> = [
        [{ actor: { ...alice, user_id: 'user_nope' }, ...approve001 }, 'USER_NOT_FOUND'],
        [{ actor: { ...alice, member_id: 'member_nope' }, ...approve001 }, 'MEMBER_NOT_FOUND'],
        [{ actor: { ...alice, user_member_id: 'um_nope' }, ...approve001 }, 'USER_MEMBER_NOT_FOUND'],
        [{ actor: { ...alice, space_id: 'space_nope' }, ...approve001 }, 'SPACE_NOT_FOUND'],
        [{ actor: alice, ...approve001, resource_id: 'invoice_nope' }, 'RESOURCE_NOT_FOUND'],
      ];
      const instanceKey = await insertApiKey(core.db.dataSource, { level: 'instance' });
      for (const [body, code] of cases) {
        const res = await withKey(core, instanceKey, 'check', body);
        expect({ code, status: res.status, got: res.body.error?.code }).toEqual({ code, status: 404, got: code });
      }
      expect((await withKey(core, betaKey, 'check', { actor: alice, ...approve001, resource_id: 'invoice_nope' })).status).toBe(403);
    });
  });

  describe('sessions', () => {
    it('act as the session’s active binding when the actor is omitted', async () => {
      const res = await withSession(core, aliceToken, 'check', approve001).expect(200);
      expect(res.body.data.audit).toMatchObject({ actor_user_id: 'user_alice', actor_user_member_id: 'um_alice_finance_reviewer', decision: 'allow' });
    });

    it('may name one of their own active bindings, and nothing else (403 ACTIVE_MEMBER_REQUIRED)', async () => {
      await withSession(core, aliceToken, 'check', { actor: { member_id: 'member_finance_reviewer' }, ...approve001 }).expect(200);
      await withSession(core, aliceToken, 'check', { actor: { binding_id: 'um_alice_finance_reviewer', space_id: ACME }, ...approve001 }).expect(200);
      for (const actor of [bob, { user_member_id: 'um_bob_finance_reviewer' }, { user_id: 'user_bob' }, { space_id: 'space_beta' }, { member_id: 'member_invoice_creator' }, { user_member_id: 'um_alice_finance_reviewer_revoked' }]) {
        const res = await withSession(core, aliceToken, 'check', { actor, ...approve001 });
        expect({ actor, status: res.status, code: res.body.error?.code }).toEqual({ actor, status: 403, code: 'ACTIVE_MEMBER_REQUIRED' });
      }
    });

    it('fall back to the first usable binding, and answer 403 when none is left', async () => {
      const ds = core.db.dataSource;
      const hash = await new PasswordHasher().hash('a-long-enough-password');
      const user = await insertUser(ds, { passwordHash: hash });
      const member = await insertMember(ds, ACME);
      const binding = await insertUserMember(ds, { userId: user.id, memberId: member, spaceId: ACME, isPrimary: true });
      await grantAdmin(ds, user.id, 'space_admin', 'authz:check', { spaceId: ACME });
      const token = await login(core, user.email, 'a-long-enough-password');
      await ds.query(`UPDATE sessions SET active_user_member_id = 'um_gone' WHERE user_id = $1`, [user.id]);
      const res = await withSession(core, token, 'check', approve001).expect(200);
      expect(res.body.data.audit).toMatchObject({ actor_user_id: user.id, actor_user_member_id: binding, deny_code: 'NO_MATCHING_PERMISSION' });
      await ds.query(`UPDATE user_members SET status = 'revoked', revoked_at = now() WHERE id = $1`, [binding]);
      expect((await withSession(core, token, 'check', approve001).expect(403)).body.error.code).toBe('ACTIVE_MEMBER_REQUIRED');
    });

    it('need authz:check for the actor’s space', async () => {
      const bobToken = await login(core, 'bob@example.com');
      expect((await withSession(core, bobToken, 'check', approve001).expect(403)).body.error.code).toBe('ADMIN_PERMISSION_REQUIRED');
    });

    it('cannot send inline context (403 INLINE_CONTEXT_REQUIRES_API_KEY)', async () => {
      const bodies = [
        { ...approve001, resource: { space_id: ACME } },
        { ...approve001, resource: { type: 'invoice', id: 'invoice_001', group_path: 'finance' } },
        { ...approve001, grants: [{ scope: 'space' }] },
        { ...approve001, actor: { member_id: 'member_finance_reviewer', member_display_name: 'Me' } },
        { ...approve001, actor: { user_status: 'active' } },
      ];
      for (const body of bodies) {
        const res = await withSession(core, aliceToken, 'check', body);
        expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 403, code: 'INLINE_CONTEXT_REQUIRES_API_KEY' });
      }
      await withSession(core, aliceToken, 'check', { ...approve001, resource: { type: 'invoice', id: 'invoice_001' }, grants: [] }).expect(200);
    });
  });

  describe('server-derived request facts', () => {
    it('refuses request_id, ip and user_agent in the body, and records the real ones', async () => {
      for (const field of ['request_id', 'ip', 'user_agent']) {
        const res = await withKey(core, acmeKey, 'check', { actor: alice, ...approve001, [field]: 'forged' }).expect(400);
        expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
      }
      const res = await withKey(core, acmeKey, 'explain', { actor: alice, ...approve001 }).set('X-Request-ID', 'req-from-client-42').set('User-Agent', 'billing-service/2.1').expect(200);
      expect(res.body.data.request).toMatchObject({ request_id: 'req-from-client-42', user_agent: 'billing-service/2.1', ip: expect.stringMatching(/127\.0\.0\.1/) });
      const [row] = await core.db.dataSource.query(`SELECT request_id, user_agent, ip_address FROM audit_logs WHERE id = $1`, [res.body.data.audit.audit_log_id]);
      expect(row).toEqual({ request_id: 'req-from-client-42', user_agent: 'billing-service/2.1', ip_address: res.body.data.request.ip });
    });
  });

  describe('Context Mode (API keys)', () => {
    const inlineActor = { user_id: 'user_ext', member_id: 'member_ext', binding_id: 'um_ext', space_id: ACME, member_display_name: 'External Approver' };

    it('evaluates an inline actor, proposed target and inline grants without reading them from the database', async () => {
      const res = await withKey(core, acmeKey, 'explain', {
        actor: inlineActor,
        resource_type: 'invoice',
        action: 'approve',
        resource: { type: 'invoice', external_id: 'EXT-9', space_id: ACME, group_path: 'finance.apac', owner_member_id: 'member_ext' },
        grants: [{ role_key: 'approver', scope: 'group_tree', scope_anchor_group_path: 'finance' }, { scope: 'space', action: 'read' }],
      }).expect(200);
      const d = res.body.data;
      expect(d).toMatchObject({ decision: 'allow', deny_code: null });
      expect(d.actor.user_member).toEqual({ id: 'um_ext', user_id: 'user_ext', member_id: 'member_ext', space_id: ACME, relation_type: 'external', status: 'active', is_primary: true, expires_at: null });
      expect(d.actor.member).toEqual({ id: 'member_ext', space_id: ACME, display_name: 'External Approver', status: 'active' });
      expect(d.target.resource).toMatchObject({ id: 'EXT-9', external_id: 'EXT-9', space_id: ACME, group_id: 'group_finance_apac', group_path: 'finance.apac', proposed: true });
      expect(d.matched_candidates).toHaveLength(1);
      expect(d.matched_candidates[0]).toMatchObject({
        role: { id: 'role_inline_approver', key: 'approver', space_id: ACME },
        permission: { id: 'perm_inline_invoice_approve_group_tree', scope: 'group_tree' },
        scope_anchor: { id: 'group_finance', path: 'finance' },
        member_role_id: null,
      });
      expect(d.audit).toMatchObject({ actor_user_id: 'user_ext', actor_user_member_id: 'um_ext', resource_id: 'EXT-9' });
    });

    it('proposes a target while reading the actor and grants from the database', async () => {
      const propose = (group_id: string) => withKey(core, acmeKey, 'explain', { actor: alice, resource_type: 'invoice', resource_id: 'invoice_new', action: 'approve', resource: { space_id: ACME, group_id } });
      const emea = (await propose('group_finance_emea').expect(200)).body.data;
      expect(emea).toMatchObject({ decision: 'allow', target: { resource: { id: 'invoice_new', proposed: true, group_path: 'finance.emea' } } });
      expect(emea.actor.user.email).toBe('alice@example.com');
      expect((await propose('group_legal').expect(200)).body.data.deny_code).toBe('SCOPE_OUT_OF_BOUNDS');
    });

    it('synthesises a group named only by a path that is not stored', async () => {
      const res = await withKey(core, acmeKey, 'explain', {
        actor: inlineActor, resource_type: 'invoice', resource_id: 'p1', action: 'approve',
        resource: { space_id: ACME, group_path: 'newdept.team' }, grants: [{ scope: 'group_tree', scope_anchor_group_path: 'newdept' }],
      }).expect(200);
      expect(res.body.data.decision).toBe('allow');
      expect(res.body.data.target.group).toEqual({ id: expect.stringMatching(/^group_inline_[0-9a-f]{16}$/), space_id: ACME, path: 'newdept.team', status: 'active' });
    });

    it('honours inline statuses: an inactive inline binding is USER_MEMBER_REVOKED', async () => {
      const res = await withKey(core, acmeKey, 'check', { actor: { ...inlineActor, binding_status: 'revoked' }, ...approve001, grants: [{ scope: 'space' }] }).expect(200);
      expect(res.body.data.deny_code).toBe('USER_MEMBER_REVOKED');
    });

    it('refuses malformed inline context with 400', async () => {
      const bodies: object[] = [
        { actor: inlineActor, ...approve001, grants: [{ role_key: 'x' }] },
        { actor: inlineActor, ...approve001, grants: [{ scope: 'everything' }] },
        { actor: inlineActor, ...approve001, grants: [{ scope: 'group', scope_anchor_group_path: 'Finance/APAC' }] },
        { actor: inlineActor, ...approve001, grants: [{ scope: 'group', scope_anchor_group_id: 'group_finance', scope_anchor_group_path: 'legal' }] },
        { actor: { ...inlineActor, space_id: undefined }, ...approve001, grants: [{ scope: 'space' }] },
        { actor: alice, ...approve001, resource_id: 'n1', resource: { group_path: 'finance' } },
        { actor: alice, ...approve001, resource: { type: 'contract', space_id: ACME } },
        { actor: alice, ...approve001, resource_id: 'n1', resource: { space_id: ACME, metadata: { api_key: 'x' } } },
        { actor: alice, ...approve001, resource_id: 'n1', resource: { space_id: ACME, metadata: 'not an object' } },
      ];
      for (const body of bodies) {
        const res = await withKey(core, acmeKey, 'check', body);
        expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
      }
    });
  });

  it('never answers 5xx, whatever the body or ids', async () => {
    const bodies: unknown[] = [
      null, [], 'text', 42, {}, { action: 1 }, { action: '' }, { action: 'a'.repeat(10_000) }, { actor: 'x', action: 'approve' },
      { actor: [], ...approve001 }, { actor: { user_id: 5 }, ...approve001 }, { actor: alice, ...approve001, grants: [1, 'x'] },
      { actor: alice, ...approve001, grants: 'all' }, { actor: alice, ...approve001, grants: Array(101).fill({ scope: 'space' }) },
      { actor: alice, ...approve001, resource: [] }, { actor: alice, ...approve001, explain: 'yes' }, { actor: alice, ...approve001, resource_id: '\u0000' },
      { actor: { ...alice, user_id: '\u0000\u2028' }, ...approve001 }, { actor: alice, resource_type: 'invoice', resource_id: "'; DROP TABLE users; --", action: 'approve' },
      { actor: alice, ...approve001, resource_type: 'x'.repeat(300) }, { actor: { ...alice, space_id: 'space_beta' }, ...approve001 },
      { checks: 'x' }, { actor: alice, ...approve001, resource: { space_id: ACME, group_id: 'group_nope' } },
      { actor: alice, ...approve001, unknown_field: true },
    ];
    const instanceKey = await insertApiKey(core.db.dataSource, { level: 'instance' });
    for (const path of ['check', 'explain', 'check-batch']) {
      for (const body of bodies) {
        const res = await core.http.post(`/api/v1/authz/${path}`).set('X-Plystra-API-Key', instanceKey).set('Content-Type', 'application/json').send(JSON.stringify(body));
        expect({ path, body, server_error: res.status >= 500 }).toEqual({ path, body, server_error: false });
        if (res.status >= 400) expect(res.body.error.code).toEqual(expect.any(String));
      }
    }
    const broken = await core.http.post('/api/v1/authz/check').set('X-Plystra-API-Key', instanceKey).set('Content-Type', 'application/json').send('{"actor":');
    expect(broken.status).toBe(400);
  });

  it('reads the registry from the database, and notices a registry change at once on every replica', async () => {
    const ds = core.db.dataSource;
    const replica = await startCore({ db: core.db, seed: false });
    try {
      const key = await insertApiKey(ds, { level: 'space', spaceId: ACME });
      const contract = { actor: alice, resource_type: 'contract', resource_id: 'contract_1', action: 'sign' };
      for (const app of [core, replica]) expect((await withKey(app, key, 'check', contract).expect(200)).body.data.deny_code).toBe('INVALID_RESOURCE_TYPE');
      await ds.query(`INSERT INTO resource_types (id, key, display_name) VALUES ('rt_contract', 'contract', 'Contract')`);
      for (const app of [core, replica]) expect((await withKey(app, key, 'check', contract).expect(200)).body.data.deny_code).toBe('INVALID_RESOURCE_ACTION');
      await ds.query(`INSERT INTO resource_actions (id, resource_type_id, key, display_name) VALUES ('ra_contract_sign', 'rt_contract', 'sign', 'Sign')`);
      await ds.query(`INSERT INTO resources (id, resource_type, space_id, group_id) VALUES ('contract_1', 'contract', $1, 'group_finance')`, [ACME]);
      for (const app of [core, replica]) expect((await withKey(app, key, 'check', contract).expect(200)).body.data.deny_code).toBe('NO_MATCHING_PERMISSION');
      const cache = core.app.get(AuthzRegistryCache);
      const loads = cache.loads;
      for (let i = 0; i < 3; i++) await withKey(core, key, 'check', contract).expect(200);
      expect(cache.loads).toBe(loads);
      await ds.query(`UPDATE resource_actions SET key = 'countersign' WHERE id = 'ra_contract_sign'`);
      for (const app of [core, replica]) expect((await withKey(app, key, 'check', contract).expect(200)).body.data.deny_code).toBe('INVALID_RESOURCE_ACTION');
    } finally {
      await replica.close();
    }
  });
});
