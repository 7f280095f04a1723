import { type ContractTestServer, startContractTestServer } from '@plystra/email-contract/testing';
import { randomBytes, randomInt } from 'node:crypto';
import { type TestDatabase, freshDatabase, passwordUser, writePluginSettings, writeSmtpSettings } from './support/db';
import { SECRETS, coreEnv, pluginEnv, smtpEnv } from './support/env';
import { recordFigure } from './support/figures';
import { call, client, codeOf, fromIp } from './support/http';
import { lastCode, lastMagicToken } from './support/mail';
import { hitsIn, scanProcessOutputs } from './support/scan';
import { type RunningService, sleep, startService, stopAll } from './support/services';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink';

/**
 * Area 5: secrets. Every flow of every service runs with LOG_LEVEL=debug; then every byte the
 * processes wrote and every audit row is scanned for every password, code, token, API key and
 * secret that was issued or presented: zero hits. The plugin delivers in capability mode to a
 * contract test server (its `log` mode prints codes on purpose, as the development channel; a
 * control test uses exactly that to prove the scan finds what is there).
 */

const GRACE_SECONDS = 1;

const word = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

describe('secrets: every flow at LOG_LEVEL=debug, every output and audit row scanned', () => {
  let db: TestDatabase;
  let provider: ContractTestServer;
  let sink: SmtpSink;
  let core: RunningService;
  let plugin: RunningService;
  let smtp: RunningService;
  /** value → what it is (never the value itself in a report). */
  const secrets = new Map<string, string>();
  const keep = (value: string | undefined | null, label: string) => {
    if (value) secrets.set(value, label);
    return value as string;
  };

  beforeAll(async () => {
    for (const [name, value] of Object.entries(SECRETS)) keep(value, name);
    // The SMTP password as it crosses the wire in AUTH PLAIN and AUTH LOGIN, should a transcript be logged.
    keep(Buffer.from(`\u0000relay-user\u0000${SECRETS.smtpPassword}`).toString('base64'), 'SMTP AUTH PLAIN credentials');
    keep(Buffer.from(SECRETS.smtpPassword).toString('base64'), 'SMTP AUTH LOGIN password');
    db = await freshDatabase();
    provider = await startContractTestServer({ token: SECRETS.capabilityToken });
    sink = await startSmtpSink();
    await writePluginSettings(db, {
      public_registration_enabled: true, email_delivery_mode: 'capability', email_capability_url: provider.url, email_capability_timeout: '2s',
      email_from_address: 'auth@example.test', server_public_url: 'https://auth.example.test', trusted_proxy_cidrs: ['127.0.0.1/32'],
    });
    await writeSmtpSettings(db, { host: '127.0.0.1', port: sink.port, tls_mode: 'none', username: 'relay-user' });
    const grace = { PLYSTRA_REFRESH_REUSE_GRACE: `${GRACE_SECONDS}s`, LOG_LEVEL: 'debug' };
    [core, plugin, smtp] = await Promise.all([
      startService('core', coreEnv(db.url, grace), { name: 'secrets-core' }),
      startService('plugin', pluginEnv(db.url, grace), { name: 'secrets-plugin' }),
      startService('smtp', smtpEnv(db.url, { LOG_LEVEL: 'debug' }), { name: 'secrets-smtp' }),
    ]);
  });

  afterAll(async () => {
    await stopAll();
    await provider?.close();
    await sink?.close();
    await db?.drop();
  });

  it('Core: bootstrap and ordinary registration, logins (right, wrong, locked), refresh and reuse, self-service password change and session list and revoke, API keys, grants, password change, metrics, logout', async () => {
    const anon = client(core.url);
    const rootPassword = keep(word('root-password'), 'bootstrap password');
    const boot = await anon.post('/api/v1/auth/register', { email: 'root@example.com', password: rootPassword, registration_token: SECRETS.bootstrapToken });
    expect(boot.status).toBe(201);
    expect(boot.body.data.bootstrap_super_admin).toBe(true);
    keep(boot.body.data.access_token, 'bootstrap access token');
    keep(boot.body.data.refresh_token, 'bootstrap refresh token');
    const root = client(core.url, `Bearer ${boot.body.data.access_token}`);

    const userPassword = keep(word('user-password'), 'ordinary registration password');
    const wrongToken = keep(word('wrong-registration-token'), 'wrong registration token');
    expect((await anon.post('/api/v1/auth/register', { email: 'carol@example.com', password: userPassword, registration_token: wrongToken })).status).toBe(403);
    const reg = await anon.post('/api/v1/auth/register', { email: 'carol@example.com', password: userPassword, registration_token: SECRETS.registrationToken, metadata: { team: 'x' } });
    expect(reg.status).toBe(201);
    keep(reg.body.data.access_token, 'registration access token');
    keep(reg.body.data.refresh_token, 'registration refresh token');
    // A secret-looking metadata key is refused; its value must not be logged either.
    const smuggled = keep(word('metadata-secret-value'), 'secret-looking metadata value');
    expect((await anon.post('/api/v1/auth/register', { email: 'dave@example.com', password: userPassword, registration_token: SECRETS.registrationToken, metadata: { api_token: smuggled } })).status).toBe(400);

    const wrongPassword = keep(word('wrong-password'), 'wrong password');
    expect((await anon.post('/api/v1/auth/login', { email: 'carol@example.com', password: wrongPassword })).status).toBe(401);
    const login = await anon.post('/api/v1/auth/login', { email: 'carol@example.com', password: userPassword });
    expect(login.status).toBe(200);
    keep(login.body.data.access_token, 'login access token');
    const refresh = keep(login.body.data.refresh_token, 'login refresh token');
    const rotated = await anon.post('/api/v1/auth/refresh', { refresh_token: refresh });
    expect(rotated.status).toBe(200);
    keep(rotated.body.data.access_token, 'rotated access token');
    keep(rotated.body.data.refresh_token, 'rotated refresh token');
    expect((await anon.post('/api/v1/auth/refresh', { refresh_token: refresh })).status).toBe(401);
    await sleep(GRACE_SECONDS * 1000 + 300);
    expect((await anon.post('/api/v1/auth/refresh', { refresh_token: refresh })).status).toBe(401);
    const user = client(core.url, `Bearer ${reg.body.data.access_token}`);
    expect((await user.get('/api/v1/actor/context')).status).toBe(200);

    // Self-service: a wrong current password, a change, a second sign-in, the session list, a revoke.
    const wrongCurrent = keep(word('wrong-current-password'), 'wrong current password');
    const selfPassword = keep(word('self-changed-password'), 'self-changed password');
    expect(codeOf(await user.post('/api/v1/auth/password', { current_password: wrongCurrent, new_password: selfPassword }))).toBe('AUTHENTICATION_REQUIRED');
    expect((await user.post('/api/v1/auth/password', { current_password: userPassword, new_password: selfPassword })).status).toBe(200);
    const second = await anon.post('/api/v1/auth/login', { email: 'carol@example.com', password: selfPassword });
    expect(second.status).toBe(200);
    keep(second.body.data.access_token, 'second login access token');
    keep(second.body.data.refresh_token, 'second login refresh token');
    const listed = await user.get('/api/v1/auth/sessions');
    expect(listed.status).toBe(200);
    const others = listed.body.data.filter((s: { current: boolean }) => !s.current);
    expect(others).toHaveLength(1);
    expect((await user.post(`/api/v1/auth/sessions/${others[0].id}/revoke`)).status).toBe(200);
    expect((await client(core.url, `Bearer ${second.body.data.access_token}`).get('/api/v1/actor/context')).status).toBe(401);

    const key = await root.post('/api/v1/api-keys', { name: 'checker', level: 'instance', permission_keys: ['authz:check', 'metrics:read'] });
    expect(key.status).toBe(201);
    const plaintext = keep(key.body.data.api_key, 'API key');
    const viaKey = { 'x-plystra-api-key': plaintext };
    const actor = { user_id: reg.body.data.actor.user_id, member_id: reg.body.data.actor.member_id, user_member_id: reg.body.data.actor.user_member_id, space_id: reg.body.data.actor.space_id };
    expect((await call(core.url, 'POST', '/api/v1/authz/check', { body: { actor, resource_type: 'invoice', resource_id: 'invoice_001', action: 'approve' }, headers: viaKey })).status).toBe(200);
    expect((await call(core.url, 'POST', '/api/v1/authz/explain', { body: { actor, resource_type: 'invoice', resource_id: 'invoice_001', action: 'read' }, headers: { authorization: `Bearer ${plaintext}` } })).status).toBe(200);
    const forgedKey = keep(`ply_ak_${key.body.data.id}.${randomBytes(32).toString('hex')}`, 'forged API key');
    expect((await call(core.url, 'GET', '/api/v1/admin/me', { headers: { 'x-plystra-api-key': forgedKey } })).status).toBe(401);
    expect((await call(core.url, 'GET', '/metrics', { headers: { 'x-plystra-metrics-token': SECRETS.metricsToken } })).status).toBe(200);
    const wrongMetrics = keep(word('wrong-metrics-token'), 'wrong metrics token');
    expect((await call(core.url, 'GET', '/metrics', { headers: { 'x-plystra-metrics-token': wrongMetrics } })).status).toBeGreaterThanOrEqual(400);
    expect((await root.post(`/api/v1/api-keys/${key.body.data.id}/revoke`, { revoked_reason: 'done' })).status).toBe(200);

    expect((await root.post('/api/v1/admin/grants', { user_id: reg.body.data.user.id, level: 'space_admin', space_id: 'space_default', permission_key: 'groups:read' })).status).toBe(201);
    const newPassword = keep(word('changed-password'), 'changed password');
    expect((await root.patch(`/api/v1/users/${reg.body.data.user.id}`, { password: newPassword })).status).toBe(200);
    expect((await user.get('/api/v1/actor/context')).status).toBe(401);

    // A lockout: eight wrong passwords, then the right one refused.
    for (let i = 0; i < 8; i++) {
      const guess = keep(word(`guess-${i}`), `wrong password ${i}`);
      await call(core.url, 'POST', '/api/v1/auth/login', { body: { email: 'carol@example.com', password: guess }, headers: fromIp(50) });
    }
    expect((await call(core.url, 'POST', '/api/v1/auth/login', { body: { email: 'carol@example.com', password: newPassword }, headers: fromIp(50) })).status).toBe(429);
    expect((await root.post('/api/v1/auth/logout')).status).toBe(200);
  });

  it('plugin: password registration and login, email code (wrong and right), magic link (page and consume), refresh and reuse, logout, a failed delivery', async () => {
    const anon = client(plugin.url);
    const password = keep(word('plugin-password'), 'plugin registration password');
    const reg = await anon.post('/api/v1/auth/register', { email: 'erin@example.com', password }, fromIp(1));
    expect(reg.status).toBe(201);
    keep(reg.body.data.access_token, 'plugin registration access token');
    keep(reg.body.data.refresh_token, 'plugin registration refresh token');
    const wrongPassword = keep(word('plugin-wrong-password'), 'plugin wrong password');
    expect((await anon.post('/api/v1/auth/login', { email: 'erin@example.com', password: wrongPassword }, fromIp(2))).status).toBe(401);
    const login = await anon.post('/api/v1/auth/login', { email: 'erin@example.com', password }, fromIp(2));
    expect(login.status).toBe(200);
    keep(login.body.data.access_token, 'plugin login access token');
    const refresh = keep(login.body.data.refresh_token, 'plugin login refresh token');

    await passwordUser(db, 'frank@example.com', null);
    expect((await anon.post('/api/v1/auth/email-code', { email: 'frank@example.com' }, fromIp(3))).status).toBe(202);
    const code = keep(lastCode(provider, 'frank@example.com'), 'email code');
    const wrongCode = keep(String((Number(code) + 500_000) % 1_000_000).padStart(6, '0'), 'wrong email code');
    expect((await anon.post('/api/v1/auth/email-code/verify', { email: 'frank@example.com', code: wrongCode }, fromIp(3))).status).toBe(401);
    const verified = await anon.post('/api/v1/auth/email-code/verify', { email: 'frank@example.com', code }, fromIp(3));
    expect(verified.status).toBe(200);
    keep(verified.body.data.access_token, 'email-code access token');
    keep(verified.body.data.refresh_token, 'email-code refresh token');

    // A new address signs up by magic link; the confirm page is opened first, as a mail scanner would.
    expect((await anon.post('/api/v1/auth/magic-link', { email: 'grace@example.com' }, fromIp(4))).status).toBe(202);
    const token = keep(lastMagicToken(provider, 'grace@example.com'), 'magic-link token');
    const page = await call(plugin.url, 'GET', `/auth/consume?token=${token}`);
    expect(page.status).toBe(200);
    const consumed = await anon.post('/api/v1/auth/magic-link/consume', { token }, fromIp(4));
    expect(consumed.status).toBe(200);
    keep(consumed.body.data.access_token, 'magic-link access token');
    keep(consumed.body.data.refresh_token, 'magic-link refresh token');
    const forged = keep(`ply_ml_${randomBytes(32).toString('hex')}`, 'forged magic-link token');
    expect((await anon.post('/api/v1/auth/magic-link/consume', { token: forged }, fromIp(5))).status).toBe(401);

    const rotated = await anon.post('/api/v1/auth/refresh', { refresh_token: refresh });
    expect(rotated.status).toBe(200);
    keep(rotated.body.data.access_token, 'plugin rotated access token');
    keep(rotated.body.data.refresh_token, 'plugin rotated refresh token');
    await sleep(GRACE_SECONDS * 1000 + 300);
    expect(codeOf(await anon.post('/api/v1/auth/refresh', { refresh_token: refresh }))).toBe('SESSION_EXPIRED');
    expect((await client(plugin.url, `Bearer ${verified.body.data.access_token}`).post('/api/v1/auth/logout')).status).toBe(200);

    // A delivery that fails: the failure is logged, the code it carried is not.
    await passwordUser(db, 'heidi@example.com', null);
    provider.setBehaviour('error-500');
    expect((await anon.post('/api/v1/auth/email-code', { email: 'heidi@example.com' }, fromIp(6))).status).toBe(502);
    provider.setBehaviour('accept');
    keep(lastCode(provider, 'heidi@example.com'), 'undelivered email code');
    expect(plugin.output()).toContain('email delivery failed');
  });

  it('SMTP provider: sends with the capability token (and a wrong one), relays with the SMTP password, carries codes and links in the message', async () => {
    const code = keep(String(randomInt(100_000, 1_000_000)), 'code inside a relayed message');
    const link = keep(`ply_ml_${randomBytes(32).toString('hex')}`, 'link token inside a relayed message');
    const message = {
      message_id: 'authchal_secrets', idempotency_key: 'authchal_secrets', purpose: 'auth.email_code',
      from: { address: 'auth@example.test' }, to: [{ address: 'ivan@example.com' }], subject: 'Your sign-in code',
      text: `Your sign-in code is ${code}.\nhttps://auth.example.test/auth/consume?token=${link}\n`, metadata: { challenge_id: 'authchal_secrets' },
    };
    const wrong = keep(word('wrong-capability-token'), 'wrong capability token');
    expect((await call(smtp.url, 'POST', '/contract/v1/email/send', { body: message, headers: { authorization: `Bearer ${wrong}` } })).status).toBe(401);
    const sent = await call(smtp.url, 'POST', '/contract/v1/email/send', { body: message, headers: { authorization: `Bearer ${SECRETS.capabilityToken}` } });
    expect([sent.status, sent.body?.accepted]).toEqual([200, true]);
    expect(sink.logins).toEqual([{ user: 'relay-user', pass: SECRETS.smtpPassword }]);
    expect(sink.messages.at(-1)?.raw).toContain(code);
  });

  it('no issued or presented secret appears in any process output or audit row', async () => {
    await stopAll();
    const audit = JSON.stringify(await db.dataSource.query(`SELECT * FROM audit_logs ORDER BY created_at`));
    const { hits, bytes } = scanProcessOutputs('flows', 'every flow of Core, the plugin and the SMTP provider at LOG_LEVEL=debug, and their audit rows', secrets, [{ name: 'audit_logs', text: audit }]);
    // At rest: sessions, API keys and challenges hold hashes only.
    const atRest = JSON.stringify(await db.dataSource.query(`SELECT (SELECT json_agg(s) FROM sessions s) AS sessions, (SELECT json_agg(k) FROM api_keys k) AS keys, (SELECT json_agg(c) FROM plugin_auth_challenges c) AS challenges`));
    const restHits = hitsIn(atRest, secrets);
    recordFigure('secrets', 'at-rest', `${restHits.length} of ${secrets.size} secrets stored in clear in sessions, API keys and challenges`, restHits.length === 0);
    expect(secrets.size).toBeGreaterThan(40);
    expect([core, plugin, smtp].every((s) => /"level":20/.test(s.output()))).toBe(true);
    expect(audit.length).toBeGreaterThan(1000);
    expect(bytes).toBeGreaterThan(audit.length);
    expect(hits).toEqual([]);
    expect(restHits).toEqual([]);
  });

  it('control: the scan finds a code the plugin prints on purpose in log delivery mode', async () => {
    // The `log` delivery mode is the development channel: it writes codes to the log by design.
    const controlDb = await freshDatabase();
    try {
      await passwordUser(controlDb, 'judy@example.com', null);
      const control = await startService('plugin', pluginEnv(controlDb.url), { name: 'secrets-control-log-mode' });
      expect((await call(control.url, 'POST', '/api/v1/auth/email-code', { body: { email: 'judy@example.com' } })).status).toBe(202);
      await control.stop();
      const code = /sign-in code is (\d{6})\./.exec(control.output())?.[1];
      expect(code).toBeDefined();
      expect(hitsIn(control.output(), new Map([[code!, 'log-mode code']]))).toEqual(['log-mode code']);
    } finally {
      await controlDb.drop();
    }
  });
});
