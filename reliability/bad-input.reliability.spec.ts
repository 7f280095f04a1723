import { type ContractTestServer, startContractTestServer } from '@plystra/email-contract/testing';
import { SessionService, TokenHasher } from '@plystra/session';
import { randomBytes } from 'node:crypto';
import { type CoreRoute, coreRouteTable, pluginRouteTable, smtpRouteTable } from './support/apps';
import { type Credential, type TestDatabase, apiKey, freshDatabase, passwordUser, superAdmin, writePluginSettings, writeSmtpSettings } from './support/db';
import { SECRETS, coreEnv, pluginEnv, smtpEnv } from './support/env';
import { recordFigure } from './support/figures';
import { type FuzzReport, type FuzzTarget, type IdPools, fuzz, summariseViolations } from './support/fuzz';
import { client } from './support/http';
import type { FieldSpec, RouteSpec } from './support/routes';
import { scanProcessOutputs } from './support/scan';
import { type RunningService, startService, stopAll } from './support/services';
import { type SmtpSink, startSmtpSink } from './support/smtp-sink';

/**
 * Area 1: bad input. Every route of every service (Core's from its AccessRegistry, the plugin's and
 * the SMTP provider's from their Nest apps, each checked against the Express router) gets at least
 * 2,000 generated hostile requests per service per run, sent to the real processes. Pass: no 5xx,
 * no crashed process, every error in the envelope with a code, no secret or stack text in any
 * answer (and the request-id and security-header conventions hold on every answer).
 */

const SEED = Number(process.env.RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** RELIABILITY_FUZZ_SCALE=5 sends five times as many cases (a deeper run than the default few minutes). */
const SCALE = Math.max(1, Number(process.env.RELIABILITY_FUZZ_SCALE ?? 1));
const CASES = { core: 2400 * SCALE, plugin: 2000 * SCALE, smtp: 2000 * SCALE };
const CONCURRENCY = 8;
const PASSWORD = 'reliability correct horse battery';

const field = (name: string, rules: string[], extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, optional: false, rules: new Set(rules), ...extra });
const optional = (name: string, rules: string[], extra: Partial<FieldSpec> = {}): FieldSpec => field(name, rules, { optional: true, ...extra });

/** The contract route reads `unknown` and validates with the contract library; this is the request it documents. */
const CONTRACT_FIELDS: FieldSpec[] = [
  optional('message_id', ['isString'], { maxLength: 200 }),
  optional('idempotency_key', ['isString'], { maxLength: 200 }),
  optional('purpose', ['isIn'], { allowed: ['auth.email_code', 'auth.magic_link', 'transactional'] }),
  field('from', ['nested'], { nested: [field('address', ['isEmail']), optional('name', ['isString'], { maxLength: 256 })] }),
  field('to', ['nested', 'isArray', 'arrayMinSize'], { nested: [field('address', ['isEmail']), optional('name', ['isString'], { maxLength: 256 })] }),
  field('subject', ['isString'], { maxLength: 200 }),
  optional('text', ['isString'], { maxLength: 200 }),
  optional('html', ['isString'], { maxLength: 200 }),
  optional('headers', ['isObject']),
  optional('metadata', ['isObject']),
];

const reports: FuzzReport[] = [];

function figure(report: FuzzReport) {
  const fives = Object.entries(report.statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
  return `${report.service} ${fives} 5xx, ${report.violations.length} violations in ${report.cases} cases (${report.controllerRoutes - report.unreached.length}/${report.controllerRoutes} routes reached handlers, ${report.routes - report.controllerRoutes} more mounted outside the controllers; ${report.reached} cases in all; crashed: ${report.crashed ? 'yes' : 'no'}; ${report.resetOversized} unread bodies cut off by a reset; ${report.retried} sent twice after a lost connection)`;
}

function check(report: FuzzReport, minimum: number) {
  reports.push(report);
  const total = reports.reduce((n, r) => n + r.cases, 0);
  const fives = reports.reduce((n, r) => n + Object.entries(r.statuses).filter(([s]) => Number(s) >= 500).reduce((m, [, c]) => m + c, 0), 0);
  const ok = reports.every((r) => !r.crashed && r.violations.length === 0);
  recordFigure('bad-input', 'headline', `${fives} 5xx in ${total} cases (seed ${SEED}, RELIABILITY_SEED to replay)`, ok);
  recordFigure('bad-input', report.service, figure(report), !report.crashed && report.violations.length === 0 && report.unreached.length === 0);
  console.log(`bad-input ${figure(report)}; statuses ${JSON.stringify(report.statuses)}${report.unreached.length ? `; unreached: ${report.unreached.join(', ')}` : ''}${report.retriedCases.length ? `\nsent twice: ${report.retriedCases.join('\n  ')}` : ''}`);
  expect(report.crashed).toBeNull();
  expect(summariseViolations(report)).toEqual([]);
  expect(report.cases).toBeGreaterThanOrEqual(minimum);
  expect(report.unreached).toEqual([]);
}

/** Ids the cases may name; never the users whose credentials the cases rely on (an admin route could disable them). */
async function idPools(db: TestDatabase, excludeUserIds: string[]): Promise<IdPools> {
  const ids = async (sql: string, params: unknown[] = []) => (await db.dataSource.query(sql, params)).map((r: { v: string }) => r.v);
  return {
    space: await ids(`SELECT id AS v FROM spaces`),
    group: await ids(`SELECT id AS v FROM groups`),
    member: await ids(`SELECT id AS v FROM members`),
    user: await ids(`SELECT id AS v FROM users WHERE id <> ALL($1)`, [excludeUserIds]),
    user_member: await ids(`SELECT id AS v FROM user_members`),
    role: await ids(`SELECT id AS v FROM roles`),
    member_role: await ids(`SELECT id AS v FROM member_roles`),
    permission: await ids(`SELECT id AS v FROM permissions`),
    role_permission: await ids(`SELECT id AS v FROM role_permissions`),
    resource_type: await ids(`SELECT key AS v FROM resource_types`),
    resource: await ids(`SELECT id AS v FROM resources`),
    action: await ids(`SELECT DISTINCT key AS v FROM resource_actions`),
    audit: await ids(`SELECT id AS v FROM audit_logs ORDER BY created_at DESC LIMIT 20`),
    api_key: await ids(`SELECT id AS v FROM api_keys`),
    admin_grant: await ids(`SELECT id AS v FROM admin_grants WHERE user_id <> ALL($1)`, [excludeUserIds]),
    email: await ids(`SELECT email AS v FROM users WHERE id <> ALL($1)`, [excludeUserIds]),
  };
}

describe('bad input against every route of every service (real processes, real PostgreSQL)', () => {
  let db: TestDatabase;
  let admin: Credential;
  let key: { plaintext: string };
  let spaceKey: { plaintext: string };
  let groupKey: { plaintext: string };
  let provider: ContractTestServer;
  let sink: SmtpSink;
  let core: RunningService;
  let plugin: RunningService;
  let smtp: RunningService;
  let coreRoutes: CoreRoute[];
  let pluginRoutes: RouteSpec[];
  let smtpRoutes: RouteSpec[];
  let pools: IdPools;
  /** Sessions the fuzzer may spend (logout revokes, refresh rotates, the account routes): never the admin's. */
  const spendable: Array<{ access: string; refresh: string }> = [];
  /** Access tokens of a password user for the account routes (password change, own sessions). */
  const accountSessions: string[] = [];
  let accountUserId: string;
  let spent = 0;

  beforeAll(async () => {
    db = await freshDatabase();
    admin = await superAdmin(db);
    key = await apiKey(db, ['*']);
    // Scoped keys take the handlers' own scope checks (real entity lookups with hostile ids).
    spaceKey = await apiKey(db, ['*'], 'space');
    groupKey = await apiKey(db, ['*'], 'group');
    const fuzzUsers: Array<{ userId: string }> = [];
    for (const email of ['fuzz-one@example.com', 'fuzz-two@example.com']) fuzzUsers.push(await passwordUser(db, email, PASSWORD));
    const sessions = new SessionService(db.dataSource, new TokenHasher(SECRETS.sessionSecret));
    accountUserId = fuzzUsers[1].userId;
    for (let i = 0; i < 10; i++) accountSessions.push((await sessions.create(accountUserId, null, { ip: null, userAgent: null })).access_token);
    for (let i = 0; i < 60; i++) {
      const t = await sessions.create('user_bob', null, { ip: null, userAgent: null });
      spendable.push({ access: t.access_token, refresh: t.refresh_token });
    }
    provider = await startContractTestServer({ token: SECRETS.capabilityToken });
    sink = await startSmtpSink();
    await writePluginSettings(db, {
      email_delivery_mode: 'capability', email_capability_url: provider.url, email_capability_timeout: '2s', email_from_address: 'auth@example.test',
      public_registration_enabled: true, server_public_url: 'https://auth.example.test', trusted_proxy_cidrs: ['127.0.0.1/32'],
    });
    await writeSmtpSettings(db, { host: '127.0.0.1', port: sink.port, tls_mode: 'none', send_timeout_ms: 3000, username: 'relay-user' });
    [coreRoutes, pluginRoutes, smtpRoutes] = [await coreRouteTable(db), await pluginRouteTable(db), await smtpRouteTable(db)];
    [core, plugin, smtp] = await Promise.all([startService('core', coreEnv(db.url), { name: 'fuzz-core' }), startService('plugin', pluginEnv(db.url), { name: 'fuzz-plugin' }), startService('smtp', smtpEnv(db.url), { name: 'fuzz-smtp' })]);
    pools = await idPools(db, [admin.userId, accountUserId]);
    pools.refresh_token = spendable.slice(0, 30).map((s) => s.refresh);
    pools.magic_token = Array.from({ length: 5 }, () => `ply_ml_${randomBytes(32).toString('hex')}`);
  });

  afterAll(async () => {
    await stopAll();
    if (db) {
      const secrets = new Map<string, string>(Object.entries(SECRETS).map(([name, value]) => [value, name]));
      for (const [value, label] of [[admin.token, 'admin access token'], [admin.refreshToken, 'admin refresh token'], [key.plaintext, 'API key'], [spaceKey.plaintext, 'space API key'], [groupKey.plaintext, 'group API key'], [PASSWORD, 'password']] as const) secrets.set(value, label);
      spendable.forEach((s, i) => secrets.set(s.access, `spendable access token ${i}`).set(s.refresh, `spendable refresh token ${i}`));
      accountSessions.forEach((t, i) => secrets.set(t, `account-route access token ${i}`));
      scanProcessOutputs('bad-input', 'bad-input processes (credentials sent in hostile headers)', secrets);
    }
    await provider?.close();
    await sink?.close();
    await db?.drop();
  });

  const forbidden = () => [...Object.values(SECRETS), db.url, admin.token, admin.refreshToken, key.plaintext, spaceKey.plaintext, groupKey.plaintext, PASSWORD, ...accountSessions];
  const spend = (path: string): Array<[string, string]> | null =>
    /\/auth\/(logout|refresh)$/.test(path)
      ? [['Authorization', `Bearer ${spendable[30 + (spent++ % 30)].access}`]]
      // The account routes (password change counts failures towards its user's lock; a revoke ends the
      // session it names): sessions of their own that logout never spends, never the admin's.
      : /\/auth\/(password|sessions(\/.*\/revoke)?)$/.test(path)
        ? [['Authorization', `Bearer ${accountSessions[spent++ % accountSessions.length]}`]]
        : null;

  it(`Core: ${CASES.core} hostile requests over every route in the AccessRegistry, as a super admin`, async () => {
    expect(coreRoutes.length).toBeGreaterThanOrEqual(80);
    const target: FuzzTarget = {
      service: 'core',
      process: core,
      routes: coreRoutes,
      pools,
      goodAuth: [
        [['Authorization', admin.authorization]], [['Authorization', admin.authorization]], [['Authorization', admin.authorization]], [['Authorization', admin.authorization]],
        [['X-Plystra-API-Key', key.plaintext]], [['Authorization', `Bearer ${key.plaintext}`]], [['X-Plystra-API-Key', spaceKey.plaintext]], [['X-Plystra-API-Key', groupKey.plaintext]],
      ],
      spendableAuth: spend,
      nonJsonPaths: ['/metrics'],
      bodyLimit: 1024 * 1024,
      forbidden: forbidden(),
    };
    const report = await fuzz(target, { cases: CASES.core, seed: SEED, concurrency: CONCURRENCY });
    // The credential the cases relied on was still good at the end, so "reached" means reached.
    expect((await client(core.url, admin.authorization).get('/api/v1/admin/me')).status).toBe(200);
    check(report, 2000);
  });

  it(`auth plugin: ${CASES.plugin} hostile requests over every route and the magic-link page`, async () => {
    const page: RouteSpec = { method: 'GET', path: '/auth/consume', handler: 'ConsumePageMiddleware', body: null, query: [optional('token', ['isString'])] };
    const target: FuzzTarget = {
      service: 'plugin',
      process: plugin,
      routes: [...pluginRoutes, page],
      pools,
      goodAuth: [[]],
      spendableAuth: spend,
      nonJsonPaths: ['/auth/consume'],
      bodyLimit: 1024 * 1024,
      forbidden: forbidden(),
    };
    const report = await fuzz(target, { cases: CASES.plugin, seed: SEED + 1, concurrency: CONCURRENCY });
    check(report, 2000);
  });

  it(`SMTP provider: ${CASES.smtp} hostile requests over every route, the contract route answering in the contract's shape`, async () => {
    const routes = smtpRoutes.map((r) => (r.method === 'POST' ? { ...r, body: CONTRACT_FIELDS } : r));
    const target: FuzzTarget = {
      service: 'smtp',
      process: smtp,
      routes,
      pools: { ...pools, email: ['to@example.test', 'x@example.org'] },
      goodAuth: [[['Authorization', `Bearer ${SECRETS.capabilityToken}`]]],
      contractPaths: ['/contract/v1/email/send'],
      bodyLimit: 2 * 1024 * 1024,
      forbidden: forbidden(),
    };
    const report = await fuzz(target, { cases: CASES.smtp, seed: SEED + 2, concurrency: CONCURRENCY });
    check(report, 2000);
  });
});
