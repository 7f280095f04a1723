import { type ContractTestServer, startContractTestServer } from '@plystra/email-contract/testing';
import { newId } from '@plystra/db';
import { type Credential, type TestDatabase, apiKey, freshDatabase, passwordUser, superAdmin, writePluginSettings } from './support/db';
import { SECRETS, coreEnv, pluginEnv } from './support/env';
import { recordFigure } from './support/figures';
import { type Answer, call, client, codeOf, concurrently, fromIp, issuedSecrets, statusCounts } from './support/http';
import { lastCode, lastMagicToken, secretsInMail } from './support/mail';
import { scanProcessOutputs } from './support/scan';
import { type RunningService, sleep, startService, stopAll } from './support/services';

/**
 * Area 2: races, with real concurrency (every request in flight at once, over HTTP, against two
 * replicas of each service on one database). Each promise is checked in the database as well as
 * in the answers.
 */

const GRACE_SECONDS = 2;
const PASSWORD = 'races correct horse battery staple';
const figures: Array<{ line: string; ok: boolean }> = [];

function note(key: string, line: string, ok: boolean) {
  figures.push({ line, ok });
  recordFigure('races', key, line, ok);
}

describe('races (real concurrency against two replicas of Core and of the plugin)', () => {
  let db: TestDatabase;
  let provider: ContractTestServer;
  let admin: Credential;
  let cores: RunningService[];
  let plugins: RunningService[];
  const plugin = (i: number) => plugins[i % plugins.length].url;
  const core = (i: number) => cores[i % cores.length].url;

  beforeAll(async () => {
    db = await freshDatabase();
    admin = await superAdmin(db);
    provider = await startContractTestServer({ token: SECRETS.capabilityToken });
    await writePluginSettings(db, {
      email_delivery_mode: 'capability', email_capability_url: provider.url, email_capability_timeout: '5s', email_from_address: 'auth@example.test',
      server_public_url: 'https://auth.example.test', trusted_proxy_cidrs: ['127.0.0.1/32'], public_registration_enabled: true,
    });
    const grace = { PLYSTRA_REFRESH_REUSE_GRACE: `${GRACE_SECONDS}s` };
    [cores, plugins] = await Promise.all([
      Promise.all([0, 1].map((i) => startService('core', coreEnv(db.url, grace), { name: `races-core-${i}` }))),
      Promise.all([0, 1].map((i) => startService('plugin', pluginEnv(db.url, grace), { name: `races-plugin-${i}` }))),
    ]);
  });

  afterAll(async () => {
    const held = figures.filter((f) => f.ok).length;
    recordFigure('races', 'headline', `${held} of ${figures.length} races held`, figures.length > 0 && held === figures.length);
    await stopAll();
    if (provider) {
      const secrets = new Map<string, string>([...Object.entries(SECRETS).map(([name, value]): [string, string] => [value, name]), ...issuedSecrets, [admin.token, 'admin token'], [PASSWORD, 'password']]);
      for (const secret of secretsInMail(provider)) secrets.set(secret, 'emailed code or link');
      scanProcessOutputs('races', 'races processes', secrets);
    }
    await provider?.close();
    await db?.drop();
  });

  const sessionsOf = async (userId: string) => (await db.dataSource.query(`SELECT id, revoked_at, revoked_reason FROM sessions WHERE user_id = $1`, [userId])) as Array<{ id: string; revoked_at: Date | null; revoked_reason: string | null }>;
  const auditCount = async (action: string, resourceId: string) =>
    Number((await db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = $1 AND resource_id = $2`, [action, resourceId]))[0].n);

  it('100 parallel consumes of one magic link open exactly one session', async () => {
    const email = 'race-link@example.com';
    const user = await passwordUser(db, email, null);
    expect((await call(plugin(0), 'POST', '/api/v1/auth/magic-link', { body: { email } })).status).toBe(202);
    const token = lastMagicToken(provider, email);
    const answers = await concurrently(100, (i) => call(plugin(i), 'POST', '/api/v1/auth/magic-link/consume', { body: { token }, headers: fromIp(i) }));
    const counts = statusCounts(answers);
    const winners = answers.filter((a) => a.status === 200);
    const [challenge] = await db.dataSource.query(`SELECT id, status, attempts FROM plugin_auth_challenges WHERE email = $1`, [email]);
    const sessions = await sessionsOf(user.userId);
    const ok = winners.length === 1 && counts[401] === 99 && sessions.length === 1 && challenge.status === 'consumed';
    note('magic-link', `magic link: ${winners.length} of 100 parallel consumes signed in, ${sessions.length} session, ${counts[401] ?? 0} × 401`, ok);
    expect(counts).toEqual({ 200: 1, 401: 99 });
    expect(answers.filter((a) => a.status === 401).every((a) => codeOf(a) === 'AUTHENTICATION_REQUIRED')).toBe(true);
    expect(sessions).toHaveLength(1);
    expect(challenge.status).toBe('consumed');
    expect(await auditCount('auth.magic_link.consumed', challenge.id)).toBe(1);
    // The one session is real: Core accepts it.
    expect((await client(core(1), `Bearer ${winners[0].body.data.access_token}`).get('/api/v1/actor/context')).status).toBe(200);
  });

  it('50 parallel wrong codes never take a challenge past its maximum attempts, and lock it', async () => {
    const email = 'race-code@example.com';
    const user = await passwordUser(db, email, null);
    expect((await call(plugin(0), 'POST', '/api/v1/auth/email-code', { body: { email } })).status).toBe(202);
    const code = lastCode(provider, email);
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
    const answers = await concurrently(50, (i) => call(plugin(i), 'POST', '/api/v1/auth/email-code/verify', { body: { email, code: wrong(i) }, headers: fromIp(i) }));
    const [challenge] = await db.dataSource.query(`SELECT id, status, attempts, max_attempts FROM plugin_auth_challenges WHERE email = $1`, [email]);
    const failedRows = await auditCount('auth.login.failed', challenge.id);
    // The right code after the lock fails too.
    const late = await call(plugin(1), 'POST', '/api/v1/auth/email-code/verify', { body: { email, code }, headers: fromIp(77) });
    const ok = challenge.attempts <= challenge.max_attempts && challenge.status === 'locked' && failedRows <= challenge.max_attempts && late.status !== 200;
    note('verify', `verify: attempts ${challenge.attempts} of max ${challenge.max_attempts} after 50 parallel wrong codes (locked; the right code then ${late.status})`, ok);
    expect(answers.every((a) => a.status === 401 || a.status === 429)).toBe(true);
    expect(challenge.attempts).toBeLessThanOrEqual(challenge.max_attempts);
    expect(challenge.attempts).toBe(challenge.max_attempts);
    expect(challenge.status).toBe('locked');
    expect(failedRows).toBe(challenge.max_attempts);
    expect([401, 429]).toContain(late.status);
    expect(await sessionsOf(user.userId)).toHaveLength(0);
  });

  it('the right code racing 49 wrong ones: at most max attempts, at most one session, and only if the challenge was consumed', async () => {
    const email = 'race-mixed@example.com';
    const user = await passwordUser(db, email, null);
    expect((await call(plugin(0), 'POST', '/api/v1/auth/email-code', { body: { email } })).status).toBe(202);
    const code = lastCode(provider, email);
    const codes = Array.from({ length: 50 }, (_, i) => (i === 25 ? code : String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0')));
    const answers = await concurrently(50, (i) => call(plugin(i), 'POST', '/api/v1/auth/email-code/verify', { body: { email, code: codes[i] }, headers: fromIp(100 + i) }));
    const [challenge] = await db.dataSource.query(`SELECT status, attempts, max_attempts FROM plugin_auth_challenges WHERE email = $1`, [email]);
    const sessions = await sessionsOf(user.userId);
    const signedIn = answers.filter((a) => a.status === 200).length;
    note('verify-mixed', `verify (right code among 49 wrong): ${signedIn} signed in, ${sessions.length} session, attempts ${challenge.attempts}/${challenge.max_attempts}, challenge ${challenge.status}`, signedIn === sessions.length && signedIn <= 1 && challenge.attempts <= challenge.max_attempts);
    expect(challenge.attempts).toBeLessThanOrEqual(challenge.max_attempts);
    expect(signedIn).toBeLessThanOrEqual(1);
    expect(sessions).toHaveLength(signedIn);
    expect(challenge.status).toBe(signedIn === 1 ? 'consumed' : 'locked');
  });

  it('50 parallel refreshes of one token rotate exactly once; reuse after the grace window revokes the session once', async () => {
    const email = 'race-refresh@example.com';
    const user = await passwordUser(db, email, PASSWORD);
    const login = await call(plugin(0), 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    const { access_token: access, refresh_token: refresh } = login.body.data;
    // Half go to Core's replicas and half to the plugin's: they share the sessions table.
    const answers = await concurrently(50, (i) => call(i % 2 ? core(i >> 1) : plugin(i >> 1), 'POST', '/api/v1/auth/refresh', { body: { refresh_token: refresh } }));
    const counts = statusCounts(answers);
    const rotated = answers.filter((a) => a.status === 200);
    const sessions = await sessionsOf(user.userId);
    expect(counts).toEqual({ 200: 1, 401: 49 });
    expect(answers.filter((a) => a.status === 401).every((a) => codeOf(a) === 'SESSION_EXPIRED')).toBe(true);
    expect(sessions).toEqual([expect.objectContaining({ revoked_at: null })]);
    const fresh = rotated[0].body.data;
    expect(fresh.access_token).not.toBe(access);
    expect((await client(core(0), `Bearer ${access}`).get('/api/v1/actor/context')).status).toBe(401);
    expect((await client(core(1), `Bearer ${fresh.access_token}`).get('/api/v1/actor/context')).status).toBe(200);

    // After the grace window the old token is reuse: 20 parallel presentations revoke the session once.
    await sleep(GRACE_SECONDS * 1000 + 500);
    const reuses = await concurrently(20, (i) => call(i % 2 ? core(i) : plugin(i), 'POST', '/api/v1/auth/refresh', { body: { refresh_token: refresh } }));
    const [after] = await sessionsOf(user.userId);
    const reuseRows = await auditCount('auth.refresh.reuse_detected', after.id);
    const dead = await client(core(0), `Bearer ${fresh.access_token}`).get('/api/v1/actor/context');
    const deadRefresh = await call(plugin(1), 'POST', '/api/v1/auth/refresh', { body: { refresh_token: fresh.refresh_token } });
    const ok = rotated.length === 1 && after.revoked_reason === 'refresh_token_reuse' && reuseRows === 1 && dead.status === 401 && deadRefresh.status === 401;
    note('refresh', `refresh: ${rotated.length} of 50 parallel refreshes rotated (${counts[401]} × 401 within grace); 20 parallel reuses after grace → ${reuseRows} revocation, new pair dead`, ok);
    expect(statusCounts(reuses)).toEqual({ 401: 20 });
    expect(after.revoked_reason).toBe('refresh_token_reuse');
    expect(reuseRows).toBe(1);
    expect(dead.status).toBe(401);
    expect(deadRefresh.status).toBe(401);
  });

  it('100 parallel registrations of one email on the plugin create exactly one user (with its member and binding, nothing orphaned)', async () => {
    const email = 'race-register@example.com';
    const answers = await concurrently(100, (i) =>
      call(plugin(i), 'POST', '/api/v1/auth/register', { body: { email: i % 3 ? email : email.toUpperCase(), password: PASSWORD }, headers: fromIp(200 + i) }),
    );
    const counts = statusCounts(answers);
    const users = await db.dataSource.query(`SELECT id FROM users WHERE lower(email) = $1`, [email]);
    const bindings = users.length ? await db.dataSource.query(`SELECT member_id FROM user_members WHERE user_id = $1`, [users[0].id]) : [];
    const [{ orphans }] = await db.dataSource.query(
      `SELECT count(*)::int AS orphans FROM members m WHERE m.space_id = 'space_default' AND NOT EXISTS (SELECT 1 FROM user_members um WHERE um.member_id = m.id)`,
    );
    const sessions = users.length ? await sessionsOf(users[0].id) : [];
    note('register-plugin', `register (plugin): ${counts[201] ?? 0} of 100 parallel registrations created ${users.length} user, ${bindings.length} binding, ${orphans} orphaned members`, counts[201] === 1 && users.length === 1 && bindings.length === 1 && orphans === 0);
    expect(counts).toEqual({ 201: 1, 409: 99 });
    expect(answers.filter((a) => a.status === 409).every((a) => codeOf(a) === 'USER_CREATE_FAILED')).toBe(true);
    expect(users).toHaveLength(1);
    expect(bindings).toHaveLength(1);
    expect(orphans).toBe(0);
    expect(sessions).toHaveLength(1);
    expect(await auditCount('auth.register', users[0].id)).toBe(1);
  });

  it('50 parallel registrations of one email on Core (ordinary mode) create exactly one user', async () => {
    const email = 'race-core-register@example.com';
    const answers = await concurrently(50, (i) =>
      call(core(i), 'POST', '/api/v1/auth/register', { body: { email, password: PASSWORD, registration_token: SECRETS.registrationToken }, headers: fromIp(400 + i) }),
    );
    const counts = statusCounts(answers);
    const users = await db.dataSource.query(`SELECT id FROM users WHERE lower(email) = $1`, [email]);
    const bindings = users.length ? await db.dataSource.query(`SELECT id FROM user_members WHERE user_id = $1`, [users[0].id]) : [];
    note('register-core', `register (Core): ${counts[201] ?? 0} of 50 parallel registrations created ${users.length} user`, counts[201] === 1 && users.length === 1 && bindings.length === 1);
    expect(counts).toEqual({ 201: 1, 409: 49 });
    expect(answers.filter((a) => a.status === 409).every((a) => codeOf(a) === 'USER_CONFLICT')).toBe(true);
    expect(users).toHaveLength(1);
    expect(bindings).toHaveLength(1);
  });

  /**
   * Checks run in a loop on both Core replicas while a grant is revoked on one of them. A check
   * sent after the revoke's answer arrived (so after its commit) must deny; a check sent before
   * it may still have read the old state, so allows answered after it are counted, not failed.
   */
  async function revokeDuringChecks(label: string, actor: Record<string, string>, revoke: () => Promise<Answer>) {
    const key = await apiKey(db, ['authz:check']);
    const results: Answer[] = [];
    let stop = false;
    const body = { actor, resource_type: 'invoice', resource_id: 'invoice_001', action: 'approve' };
    const loop = async (i: number) => {
      while (!stop) results.push(await call(core(i), 'POST', '/api/v1/authz/check', { body, headers: { 'x-plystra-api-key': key.plaintext } }));
    };
    const loops = Array.from({ length: 8 }, (_, i) => loop(i));
    // Enough allows before the revoke and enough checks after it (however loaded the machine), each bounded.
    const until = async (enough: () => boolean, ms: number) => {
      for (const end = Date.now() + ms; !enough() && Date.now() < end; ) await sleep(50);
    };
    await until(() => results.filter((r) => r.body?.data?.allow === true).length >= 100, 15_000);
    const revoked = await revoke();
    expect(revoked.status).toBeLessThan(300);
    const committedBy = revoked.answeredAt;
    await until(() => results.filter((r) => r.sentAt > committedBy).length >= 100, 15_000);
    stop = true;
    await Promise.all(loops);
    const statuses = statusCounts(results);
    const sentAfter = results.filter((r) => r.sentAt > committedBy);
    const allowsAfter = sentAfter.filter((r) => r.body?.data?.allow === true);
    const allowsBefore = results.filter((r) => r.sentAt < revoked.sentAt && r.body?.data?.allow === true);
    const straddling = results.filter((r) => r.sentAt <= committedBy && r.answeredAt > committedBy && r.body?.data?.allow === true);
    const ok = allowsAfter.length === 0 && sentAfter.length >= 50 && allowsBefore.length >= 50 && Object.keys(statuses).join() === '200';
    note(`revoke-${label}`, `${label} revoke: 0 allows required, ${allowsAfter.length} found among ${sentAfter.length} checks sent after the revoke committed (${allowsBefore.length} allows before it; ${straddling.length} allows in flight across it)`, ok);
    expect(statuses).toEqual({ 200: results.length });
    expect(allowsBefore.length).toBeGreaterThanOrEqual(50);
    expect(sentAfter.length).toBeGreaterThanOrEqual(50);
    expect(allowsAfter.map((r) => r.body.data.audit_log_id)).toEqual([]);
    expect(sentAfter.every((r) => r.body.data.deny_code === 'NO_MATCHING_PERMISSION')).toBe(true);
  }

  it('no check sent after a member-role revoke commits is allowed (checks on both replicas, revoke on one)', async () => {
    await revokeDuringChecks('member-role', { user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' }, () =>
      client(core(0), admin.authorization).post('/api/v1/spaces/space_acme/member-roles/mr_finance_reviewer_approver/revoke', { revoked_reason: 'race test' }),
    );
  });

  it('no check sent after a role-permission revoke commits is allowed', async () => {
    // A second, independent grant path: its own member, binding, role and role-permission.
    const ds = db.dataSource;
    const [userId, memberId, umId, roleId, rpId, mrId] = ['user', 'member', 'um', 'role', 'rp', 'mr'].map(newId);
    await ds.query(`INSERT INTO users (id, email, status) VALUES ($1, $2, 'active')`, [userId, `${userId}@example.test`]);
    await ds.query(`INSERT INTO members (id, space_id, display_name) VALUES ($1, 'space_acme', 'Race Approver')`, [memberId]);
    await ds.query(`INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, is_primary, linked_at) VALUES ($1, $2, $3, 'space_acme', 'self', true, now())`, [umId, userId, memberId]);
    await ds.query(`INSERT INTO roles (id, space_id, key, name) VALUES ($1, 'space_acme', 'race_approver', 'Race Approver')`, [roleId]);
    await ds.query(`INSERT INTO role_permissions (id, role_id, permission_id) VALUES ($1, $2, 'perm_invoice_approve_group_tree')`, [rpId, roleId]);
    await ds.query(`INSERT INTO member_roles (id, member_id, role_id, space_id, scope_anchor_group_id) VALUES ($1, $2, $3, 'space_acme', 'group_finance')`, [mrId, memberId, roleId]);
    await revokeDuringChecks('role-permission', { user_id: userId, member_id: memberId, user_member_id: umId, space_id: 'space_acme' }, () =>
      client(core(1), admin.authorization).del(`/api/v1/role-permissions/${rpId}`),
    );
  });
});
