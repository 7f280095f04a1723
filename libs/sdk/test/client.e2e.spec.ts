import {
  PlystraApiError, PlystraAuthError, PlystraAuthorizationError, PlystraClient, PlystraValidationError, collectAll, type PlystraTokens,
} from '../src';
import { ALICE, BOB, type ListeningCore, aliceActor, approve, grantSuperAdmin, listenCore, recordingFetch, rejection } from './sdk-test-kit';

/** The SDK against the real Core over HTTP (demo data, real PostgreSQL). */
describe('PlystraClient against Core (real HTTP, real PostgreSQL)', () => {
  let env: ListeningCore;
  const client = (options: Partial<ConstructorParameters<typeof PlystraClient>[0]> = {}) => new PlystraClient({ baseUrl: env.url, ...options });
  const auditRow = async (id: string) => (await env.core.db.dataSource.query(`SELECT * FROM audit_logs WHERE id = $1`, [id]))[0];

  /** Alice signed in through the SDK (she is made instance super admin in beforeAll). */
  async function alice(options: Partial<ConstructorParameters<typeof PlystraClient>[0]> = {}) {
    const c = client(options);
    await c.auth.login(ALICE);
    return c;
  }

  beforeAll(async () => {
    env = await listenCore();
    await grantSuperAdmin(env.core, 'user_alice');
  });
  afterAll(() => env.core.close());
  beforeEach(() => env.core.db.dataSource.query(`DELETE FROM auth_rate_limits`));

  it('system: health, ready and version are read without sending a credential', async () => {
    const { fetch, calls } = recordingFetch();
    const c = client({ fetch, accessToken: 'ply_at_not-a-real-token', apiKey: 'ply_ak_nope.00' });
    expect(await c.system.health()).toEqual({ status: 'ok' });
    expect(await c.system.ready()).toMatchObject({ status: 'ready', trace_version: '1.0' });
    expect(await c.system.version()).toMatchObject({ api_version: 'v1', trace_version: '1.0' });
    expect(calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual(['GET /api/v1/health 200', 'GET /api/v1/ready 200', 'GET /api/v1/version 200']);
    for (const call of calls) {
      expect(call.headers).not.toHaveProperty('authorization');
      expect(call.headers).not.toHaveProperty('x-plystra-api-key');
    }
    // A base URL given with its /api/v1 suffix (and a trailing slash) reaches the same routes.
    expect(await new PlystraClient({ baseUrl: `${env.url}/api/v1/` }).system.health()).toEqual({ status: 'ok' });
  });

  it('login stores the tokens and reports them; refresh rotates both and reports the new pair', async () => {
    const changes: Array<PlystraTokens | null> = [];
    const c = client({ onTokenChange: (tokens) => void changes.push(tokens) });
    const bundle = await c.auth.login(ALICE);
    expect(bundle.actor).toEqual(aliceActor);
    expect(bundle.access_token).toMatch(/^ply_at_[0-9a-f]{64}$/);
    expect(changes).toEqual([{ accessToken: bundle.access_token, refreshToken: bundle.refresh_token, expiresAt: bundle.expires_at, refreshExpiresAt: bundle.refresh_expires_at }]);
    expect(c.tokens()).toEqual(changes[0]);
    expect((await c.actor.context()).actor).toEqual(aliceActor);

    const pair = await c.auth.refresh();
    expect(pair.access_token).not.toBe(bundle.access_token);
    expect(pair.refresh_token).not.toBe(bundle.refresh_token);
    expect(changes).toHaveLength(2);
    expect(changes[1]).toEqual({ accessToken: pair.access_token, refreshToken: pair.refresh_token, expiresAt: pair.expires_at, refreshExpiresAt: pair.refresh_expires_at });
    // The rotated pair is the one in use: the old access token is dead, the client still works.
    const stale = await rejection(client({ accessToken: bundle.access_token }).actor.context());
    expect(stale).toBeInstanceOf(PlystraAuthError);
    expect(stale.code).toBe('AUTHENTICATION_REQUIRED');
    const context = await c.actor.context();
    expect(context.actor).toEqual(aliceActor);

    expect(await c.auth.logout()).toEqual({ logged_out: true });
    expect(changes).toHaveLength(3);
    expect(changes[2]).toBeNull();
    expect(c.tokens()).toBeNull();
    const [session] = await env.core.db.dataSource.query(`SELECT revoked_reason FROM sessions WHERE id = $1`, [context.session_id]);
    expect(session.revoked_reason).toBe('logout');
    expect((await rejection(client({ accessToken: pair.access_token }).actor.context())).code).toBe('AUTHENTICATION_REQUIRED');
  });

  it('authz.check answers allow for invoice_001 and deny SCOPE_OUT_OF_BOUNDS for invoice_002, without throwing', async () => {
    const c = await alice();
    const allow = await c.authz.check(approve('invoice_001'));
    expect(allow).toMatchObject({ allow: true, decision: 'allow', deny_code: null });
    expect(allow.trace_id).toMatch(/^trc_[0-9a-f]{16}$/);
    expect(allow.audit).toMatchObject({ actor_user_id: 'user_alice', resource_id: 'invoice_001', decision: 'allow' });
    expect(await auditRow(allow.audit_log_id)).toMatchObject({ decision: 'allow', resource_id: 'invoice_001', actor_user_id: 'user_alice' });

    const deny = await c.authz.check(approve('invoice_002'));
    expect(deny).toMatchObject({ allow: false, decision: 'deny', deny_code: 'SCOPE_OUT_OF_BOUNDS' });
    expect(deny.audit_log_id).not.toBe(allow.audit_log_id);
    expect(await auditRow(deny.audit_log_id)).toMatchObject({ decision: 'deny', deny_code: 'SCOPE_OUT_OF_BOUNDS', resource_id: 'invoice_002' });

    const explained = await c.authz.explain(approve('invoice_001'));
    expect(explained.matched_candidates).toHaveLength(1);
    expect(explained.matched_candidates[0].scope_check).toMatchObject({ covered: true });
    const batch = await c.authz.checkBatch([approve('invoice_001'), approve('invoice_002'), { ...approve('invoice_001'), action: 'reject' }]);
    expect(batch.results.map((r) => [r.decision, r.deny_code])).toEqual([['allow', null], ['deny', 'SCOPE_OUT_OF_BOUNDS'], ['deny', 'NO_MATCHING_PERMISSION']]);
  });

  it('withRequestId sends X-Request-ID: the decision, the audit row and errors carry it; the parent client does not', async () => {
    const { fetch, calls } = recordingFetch();
    const c = await alice({ fetch });
    const scoped = c.withRequestId('sdk-req-42');
    const decision = await scoped.authz.check(approve('invoice_001'));
    expect(decision.audit.request_id).toBe('sdk-req-42');
    expect((await auditRow(decision.audit_log_id)).request_id).toBe('sdk-req-42');
    const error = await rejection(scoped.users.get('user_nope'));
    expect(error.requestId).toBe('sdk-req-42');
    expect(error.code).toBe('USER_NOT_FOUND');
    const plain = await c.authz.check(approve('invoice_001'));
    expect(plain.audit.request_id).not.toBe('sdk-req-42');
    expect(calls.map((call) => call.headers['x-request-id'] ?? null)).toEqual([null, 'sdk-req-42', 'sdk-req-42', null]);
    expect(() => c.withRequestId('has space')).toThrow(TypeError);
  });

  it('an API key created through the SDK checks with the actor named, sent as X-Plystra-API-Key', async () => {
    const admin = await alice();
    const created = await admin.apiKeys.create({ name: 'sdk guard', level: 'space', space_id: 'space_acme', permission_keys: ['authz:check'] });
    expect(created.api_key).toMatch(new RegExp(`^ply_ak_${created.id}\\.[0-9a-f]{64}$`));
    expect((await admin.apiKeys.get(created.id)).permission_keys).toEqual(['authz:check']);
    expect((await collectAll((q) => admin.apiKeys.list(q), { limit: 1 })).map((k) => k.id)).toContain(created.id);

    const { fetch, calls } = recordingFetch();
    const service = client({ apiKey: created.api_key, fetch });
    const allow = await service.authz.check({ actor: aliceActor, ...approve('invoice_001') });
    expect(allow).toMatchObject({ allow: true, audit: { actor_user_id: 'user_alice' } });
    const deny = await service.authz.check({ actor: aliceActor, ...approve('invoice_002') });
    expect(deny).toMatchObject({ allow: false, deny_code: 'SCOPE_OUT_OF_BOUNDS' });
    expect(calls[0].headers['x-plystra-api-key']).toBe(created.api_key);
    expect(calls[0].headers).not.toHaveProperty('authorization');
    expect((await auditRow(allow.audit_log_id)).trace.request.caller).toEqual({ type: 'api_key', key: created.id });

    const noActor = await rejection(service.authz.check(approve('invoice_001')));
    expect(noActor).toBeInstanceOf(PlystraValidationError);
    expect(noActor).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(noActor.details).toEqual({ fields: [expect.objectContaining({ field: 'actor' })] });

    expect((await admin.apiKeys.revoke(created.id, 'test over')).status).toBe('revoked');
    const revoked = await rejection(service.authz.check({ actor: aliceActor, ...approve('invoice_001') }));
    expect(revoked).toBeInstanceOf(PlystraAuthError);
    expect(revoked.code).toBe('AUTHENTICATION_REQUIRED');
  });

  it('maps failures to their classes with the envelope code, status and request id', async () => {
    const none = await rejection(client().users.list());
    expect(none).toBeInstanceOf(PlystraAuthError);
    expect(none).toMatchObject({ status: 401, code: 'AUTHENTICATION_REQUIRED' });
    expect(none.requestId).toMatch(/^req_/);

    const bob = client();
    await bob.auth.login(BOB);
    const forbidden = await rejection(bob.users.list());
    expect(forbidden).toBeInstanceOf(PlystraAuthorizationError);
    expect(forbidden).toMatchObject({ status: 403, code: 'ADMIN_PERMISSION_REQUIRED' });

    const admin = await alice();
    const invalid = await rejection(admin.users.create({ email: 'not-an-email' }));
    expect(invalid).toBeInstanceOf(PlystraValidationError);
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(JSON.stringify(invalid.details)).toContain('email');

    const duplicate = await rejection(admin.users.create({ email: 'alice@example.com' }));
    expect(duplicate).toBeInstanceOf(PlystraValidationError);
    expect(duplicate.status).toBe(409);

    const missing = await rejection(admin.users.get('user_nope'));
    expect(missing.constructor).toBe(PlystraApiError);
    expect(missing).toMatchObject({ status: 404, code: 'USER_NOT_FOUND', name: 'PlystraApiError' });

    const wrongPassword = await rejection(client().auth.login({ email: 'alice@example.com', password: 'wrong-password-123' }));
    expect(wrongPassword).toBeInstanceOf(PlystraAuthError);
    expect(wrongPassword.code).toBe('AUTHENTICATION_REQUIRED');
  });

  it('paginate walks every page with the filters resent on each page', async () => {
    const c = await alice();
    const scoped = c.withRequestId('sdk-pages-1');
    for (const id of ['invoice_001', 'invoice_002', 'invoice_001']) await scoped.authz.check(approve(id));
    const first = await c.audit.list({ request_id: 'sdk-pages-1', limit: 1 });
    expect(first.data).toHaveLength(1);
    expect(first.pagination).toMatchObject({ limit: 1, has_more: true, cursor: expect.any(String) });

    const { fetch, calls } = recordingFetch();
    const recorded = await alice({ fetch });
    const all = await collectAll((q) => recorded.audit.list(q), { request_id: 'sdk-pages-1', limit: 1 });
    const rows = await env.core.db.dataSource.query(`SELECT id FROM audit_logs WHERE request_id = 'sdk-pages-1' ORDER BY created_at DESC, id DESC`);
    expect(rows).toHaveLength(3);
    expect(all.map((item) => item.id)).toEqual(rows.map((r: { id: string }) => r.id));
    const pageCalls = calls.filter((call) => call.path === '/api/v1/audit/logs');
    expect(pageCalls.length).toBeGreaterThanOrEqual(3);
    for (const call of pageCalls) expect(new URLSearchParams(call.search).get('request_id')).toBe('sdk-pages-1');
    expect(new URLSearchParams(pageCalls[1].search).get('cursor')).toEqual(expect.any(String));
    const one = await c.audit.get(all[0].id);
    expect(one.trace).toMatchObject({ trace_id: expect.stringMatching(/^trc_/) });
  });

  it('management modules: a policy built through the SDK decides a check', async () => {
    const admin = await alice();
    const spaceRow = await admin.spaces.create({ name: 'SDK Space', slug: 'sdk-space' });
    const ops = await admin.groups.create(spaceRow.id, { path: 'ops' });
    const opsEu = await admin.groups.create(spaceRow.id, { path: 'ops.eu', parent_group_id: ops.id });
    const member = await admin.members.create(spaceRow.id, { display_name: 'Publisher' });
    const carol = await admin.users.create({ email: 'carol@sdk.example.com', password: 'carol-long-enough-password' });
    const binding = await admin.userMembers.create(spaceRow.id, { user_id: carol.id, member_id: member.id, relation_type: 'self', is_primary: true });
    const role = await admin.roles.create(spaceRow.id, { key: 'publisher' });
    await admin.resourceTypes.upsert({ key: 'sdk_doc', display_name: 'SDK document' });
    await admin.resourceTypes.upsertAction('sdk_doc', { key: 'publish', display_name: 'Publish', risk_level: 'high' });
    const mapping = await admin.resourceTypes.upsertMapping('sdk_doc', {});
    const permission = await admin.permissions.create({ resource: 'sdk_doc', action: 'publish', scope: 'group_tree' });
    const link = await admin.rolePermissions.create({ role_id: role.id, permission_id: permission.id });
    const grant = await admin.memberRoles.create(spaceRow.id, { member_id: member.id, role_id: role.id, scope_anchor_group_id: ops.id });
    const doc = await admin.resources.createInSpace(spaceRow.id, { resource_type: 'sdk_doc', group_id: opsEu.id, display_name: 'Runbook' });
    const adminGrant = await admin.admin.createGrant({ user_id: carol.id, level: 'space_admin', space_id: spaceRow.id, permission_key: 'authz:check' });

    // Every read route answers the same rows.
    expect((await admin.spaces.get(spaceRow.id)).slug).toBe('sdk-space');
    expect((await admin.spaces.groups(spaceRow.id)).data.map((g) => g.path).sort()).toEqual(['ops', 'ops.eu']);
    expect((await admin.groups.tree(spaceRow.id)).data.map((g) => g.path)).toEqual(['ops', 'ops.eu']);
    expect((await admin.groups.get(opsEu.id)).parent_group_id).toBe(ops.id);
    expect((await admin.groups.getInSpace(spaceRow.id, ops.id)).path).toBe('ops');
    expect((await admin.spaces.members(spaceRow.id)).data.map((m) => m.id)).toEqual([member.id]);
    expect((await admin.members.get(member.id)).display_name).toBe('Publisher');
    expect((await admin.spaces.userMembers(spaceRow.id)).data.map((b) => b.id)).toEqual([binding.id]);
    expect((await admin.userMembers.get(binding.id)).user_id).toBe(carol.id);
    expect((await admin.spaces.roles(spaceRow.id)).data.map((r) => r.key)).toEqual(['publisher']);
    expect((await admin.roles.get(role.id)).key).toBe('publisher');
    expect((await admin.spaces.memberRoles(spaceRow.id)).data.map((g) => g.id)).toEqual([grant.id]);
    expect((await admin.spaces.memberRoleGrants(spaceRow.id)).data.map((g) => g.id)).toEqual([grant.id]);
    expect((await admin.memberRoles.get(spaceRow.id, grant.id)).scope_anchor_group_id).toBe(ops.id);
    expect((await admin.permissions.get(permission.id)).scope).toBe('group_tree');
    expect((await admin.rolePermissions.get(link.id)).permission_id).toBe(permission.id);
    expect((await admin.resourceTypes.get('sdk_doc')).display_name).toBe('SDK document');
    expect((await admin.resourceTypes.actions('sdk_doc')).data.map((a) => a.key)).toEqual(['publish']);
    expect((await admin.resourceTypes.mapping('sdk_doc')).id).toBe(mapping.id);
    expect((await admin.resources.get('sdk_doc', doc.id)).group_path).toBe('ops.eu');
    expect((await admin.spaces.resources(spaceRow.id)).data.map((r) => r.id)).toEqual([doc.id]);
    expect((await admin.admin.getGrant(adminGrant.id)).permission_key).toBe('authz:check');
    expect((await admin.admin.me()).super_admin).toBe(true);

    const publisher = client();
    const signedIn = await publisher.auth.login({ email: 'carol@sdk.example.com', password: 'carol-long-enough-password' });
    expect(signedIn.actor).toEqual({ user_id: carol.id, member_id: member.id, user_member_id: binding.id, space_id: spaceRow.id });
    const check = { resource_type: 'sdk_doc', resource_id: doc.id, action: 'publish' };
    expect(await publisher.authz.check(check)).toMatchObject({ allow: true });

    expect((await admin.memberRoles.revoke(spaceRow.id, grant.id, 'rotation')).status).toBe('revoked');
    expect(await publisher.authz.check(check)).toMatchObject({ allow: false, deny_code: 'NO_MATCHING_PERMISSION' });
    expect((await admin.rolePermissions.revoke(link.id)).id).toBe(link.id);
    expect((await admin.resources.archive(spaceRow.id, doc.id)).status).toBe('archived');
    expect((await admin.admin.revokeGrant(adminGrant.id)).status).toBe('revoked');
    expect((await rejection(publisher.authz.check(check))).code).toBe('ADMIN_PERMISSION_REQUIRED');
  });
});
