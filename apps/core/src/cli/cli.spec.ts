import { randomBytes } from 'node:crypto';
import { TEST_ADMIN_URL_ENV, createTestDatabase, databaseUrl, insertSpace, insertUser, withAdminClient, type TestDatabase } from '@plystra/db/testing';
import { TokenHasher } from '@plystra/session';
import { DEV_API_KEY_SECRET } from '../config/core-config';
import { runCli } from './cli';

async function cli(args: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { env, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('plystra CLI', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('prints help, and refuses unknown commands and options with exit 2', async () => {
    const help = await cli(['--help'], {});
    expect(help.code).toBe(0);
    for (const command of ['migrate', 'migrate:verify', 'seed:demo', 'bootstrap-super-admin', 'api-keys:create', 'settings:get', 'settings:set', 'doctor']) expect(help.out).toContain(command);
    expect((await cli(['bootstrap-super-admin', '--help'], {})).out).toContain('--user-id');
    expect((await cli(['api-keys:create', '--help'], {})).out).toContain('--created-by-user-id');
    expect((await cli(['settings:set', '--help'], {})).out).toContain('settings:set <key> <json value>');
    expect((await cli(['migrate', 'extra'], {})).code).toBe(2);
    expect((await cli(['frobnicate'], {})).code).toBe(2);
    expect((await cli(['migrate', '--bogus'], {})).code).toBe(2);
    expect((await cli([], {})).code).toBe(2);
  });

  it('migrates an empty database, verifies it, and is idempotent', async () => {
    const adminUrl = process.env[TEST_ADMIN_URL_ENV]!;
    const name = `plystra_cli_${randomBytes(4).toString('hex')}`;
    await withAdminClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    const env = { DATABASE_URL: databaseUrl(adminUrl, name) };
    try {
      const before = await cli(['migrate:verify'], env);
      expect(before.code).toBe(1);
      expect(before.out).toMatch(/core: NOT current/);
      expect(before.out).toMatch(/pending: CreateIdentity1764000000000/);
      const first = await cli(['migrate'], env);
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/core: applied CreateIdentity1764000000000/);
      const second = await cli(['migrate'], env);
      expect(second.out).toMatch(/core: up to date/);
      const after = await cli(['migrate:verify', '--service', 'core'], env);
      expect(after.code).toBe(0);
      expect(after.out).toMatch(/core: current/);
      expect((await cli(['migrate', '--service', 'nope'], env)).code).toBe(2);
    } finally {
      await withAdminClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  });

  it('seeds the demo once, and refuses in production', async () => {
    const env = { DATABASE_URL: db.url };
    expect((await cli(['seed:demo'], env)).out).toMatch(/demo data created/);
    expect((await cli(['seed:demo'], env)).out).toMatch(/already present/);
    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE id IN ('user_alice', 'user_bob')`);
    expect(n).toBe(2);
    const refused = await cli(['seed:demo'], { ...env, SERVER_MODE: 'production' });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/refused in production/);
  });

  it('bootstraps the first super admin once', async () => {
    const env = { DATABASE_URL: db.url };
    expect((await cli(['bootstrap-super-admin'], env)).code).toBe(2);
    const user = await insertUser(db.dataSource);
    const created = await cli(['bootstrap-super-admin', '--user-id', user.id], env);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ status: 'created', user_id: user.id });
    const again = await cli(['bootstrap-super-admin', '--user-id', user.id], env);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/SUPER_ADMIN_EXISTS/);
    expect((await cli(['bootstrap-super-admin', '--user-id', user.id, '--if-exists', 'ok'], env)).code).toBe(0);
    const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM admin_grants WHERE level = 'instance_super_admin'`);
    expect(n).toBe(1);
  });

  it('doctor names every production misconfiguration and checks the database', async () => {
    const healthy = await cli(['doctor'], { DATABASE_URL: db.url });
    expect(healthy.code).toBe(0);
    expect(healthy.out).toMatch(/no problems found/);
    const bad = await cli(['doctor'], { SERVER_MODE: 'production', PLYSTRA_SESSION_SECRET: 'short', CORS_ALLOWED_ORIGINS: '*', AUDIT_WRITE_MODE: 'disabled_for_dev' });
    expect(bad.code).toBe(1);
    for (const variable of ['DATABASE_URL', 'PLYSTRA_SESSION_SECRET', 'PLYSTRA_API_KEY_SECRET', 'CORS_ALLOWED_ORIGINS', 'SERVER_PUBLIC_URL', 'AUDIT_WRITE_MODE']) {
      expect(bad.out).toContain(`problem: ${variable}:`);
    }
    const unreachable = await cli(['doctor'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.out).toMatch(/the database cannot be reached/);
  });

  describe('api-keys:create', () => {
    const env = () => ({ DATABASE_URL: db.url });
    let userId: string;
    let spaceId: string;
    beforeAll(async () => {
      userId = (await insertUser(db.dataSource)).id;
      spaceId = await insertSpace(db.dataSource);
      for (const [i, key] of ['api_keys:create', 'users:read'].entries()) {
        await db.dataSource.query(
          `INSERT INTO admin_grants (id, user_id, level, permission_key, space_id, status) VALUES ($1, $2, 'space_admin', $3, $4, 'active')`,
          [`ag_cli_${i}_${userId}`, userId, key, spaceId],
        );
      }
    });

    it('creates a key the creator may delegate, prints the plaintext once, stores only its HMAC and audits it', async () => {
      const created = await cli(
        ['api-keys:create', '--created-by-user-id', userId, '--name', 'reporting', '--level', 'space', '--space-id', spaceId, '--permission', ' Users:Read ', '--id', 'ak_cli_1'],
        env(),
      );
      expect(created.err).toBe('');
      expect(created.code).toBe(0);
      const [line, ...json] = created.out.split('\n');
      const plaintext = /^api key \(shown once, store it now\): (ply_ak_ak_cli_1\.[0-9a-f]{64})$/.exec(line)![1];
      expect(created.out.split(plaintext)).toHaveLength(2);
      const record = JSON.parse(json.join('\n'));
      expect(record).toMatchObject({ id: 'ak_cli_1', level: 'space', space_id: spaceId, permission_keys: ['users:read'], status: 'active', created_by_user_id: userId });
      expect(record).not.toHaveProperty('key_hash');
      const [row] = await db.dataSource.query(`SELECT key_hash FROM api_keys WHERE id = 'ak_cli_1'`);
      expect(row.key_hash).toBe(new TokenHasher(DEV_API_KEY_SECRET, []).hash(plaintext));
      const audit = await db.dataSource.query(`SELECT actor_user_id, trace::text AS trace FROM audit_logs WHERE action = 'api_key.created' AND resource_id = 'ak_cli_1'`);
      expect(audit).toHaveLength(1);
      expect(audit[0].actor_user_id).toBe(userId);
      expect(audit[0].trace).not.toContain(plaintext.split('.')[1]);
    });

    it('refuses what the HTTP route refuses, with exit 2 and the error code', async () => {
      const base = ['api-keys:create', '--created-by-user-id', userId, '--name', 'k'];
      const notHeld = await cli([...base, '--level', 'space', '--space-id', spaceId, '--permission', 'spaces:manage'], env());
      expect(notHeld.code).toBe(2);
      expect(notHeld.err).toMatch(/ADMIN_PERMISSION_REQUIRED/);
      const instance = await cli([...base, '--level', 'instance', '--permission', 'users:read'], env());
      expect(instance.code).toBe(2);
      expect(instance.err).toMatch(/ADMIN_PERMISSION_REQUIRED/);
      const invalid = await cli([...base, '--level', 'space', '--space-id', spaceId, '--permission', 'users'], env());
      expect(invalid.code).toBe(2);
      expect(invalid.err).toMatch(/VALIDATION_FAILED|permission_keys/);
      const none = await cli([...base, '--level', 'space', '--space-id', spaceId], env());
      expect(none.code).toBe(2);
      expect(none.err).toMatch(/permission_keys/);
      const nobody = await cli(['api-keys:create', '--created-by-user-id', 'user_nobody', '--name', 'k', '--level', 'space', '--space-id', spaceId, '--permission', 'users:read'], env());
      expect(nobody.code).toBe(2);
      expect(nobody.err).toMatch(/USER_NOT_FOUND/);
      expect((await cli(['api-keys:create', '--name', 'k'], env())).err).toMatch(/--created-by-user-id is required/);
      const duplicate = await cli([...base, '--level', 'space', '--space-id', spaceId, '--permission', 'users:read', '--id', 'ak_cli_1'], env());
      expect(duplicate.code).toBe(2);
      expect(duplicate.err).toMatch(/API_KEY_CONFLICT/);
      const weak = await cli([...base, '--level', 'space', '--space-id', spaceId, '--permission', 'users:read'], { ...env(), SERVER_MODE: 'production', PLYSTRA_API_KEY_SECRET: 'short' });
      expect(weak.code).toBe(2);
      expect(weak.err).toMatch(/PLYSTRA_API_KEY_SECRET/);
      const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM api_keys WHERE created_by_user_id = $1`, [userId]);
      expect(n).toBe(1);
    });
  });

  describe('settings', () => {
    const env = () => ({ DATABASE_URL: db.url });

    it('gets every setting or one', async () => {
      const all = await cli(['settings:get'], env());
      expect(all.code).toBe(0);
      expect(JSON.parse(all.out)).toMatchObject({ public_registration_enabled: false, email_delivery_mode: 'log', magic_link_path: '/auth/consume' });
      const one = await cli(['settings:get', 'email_code_ttl'], env());
      expect(one.out).toBe('"10m"');
      const unknown = await cli(['settings:get', 'nope'], env());
      expect(unknown.code).toBe(2);
      expect(unknown.err).toMatch(/unknown setting/);
    });

    it('sets a valid JSON value and refuses unknown, secret-looking, mistyped or non-JSON values', async () => {
      const set = await cli(['settings:set', 'public_registration_enabled', 'true'], env());
      expect(set.code).toBe(0);
      expect(set.out).toBe('public_registration_enabled = true');
      const [row] = await db.dataSource.query(`SELECT value, updated_by FROM plugin_auth_settings WHERE key = 'public_registration_enabled'`);
      expect(row).toEqual({ value: true, updated_by: 'cli' });
      expect((await cli(['settings:get', 'public_registration_enabled'], env())).out).toBe('true');
      expect((await cli(['settings:set', 'allowed_redirect_origins', '["https://app.example.com"]', '--updated-by', 'ops'], env())).code).toBe(0);
      expect((await cli(['settings:set', 'email_code_ttl', '"5m"'], env())).code).toBe(0);
      expect((await cli(['settings:set', 'magic_link_ttl', '300'], env())).code).toBe(0);

      const refused: Array<[string[], RegExp]> = [
        [['settings:set', 'nope', '1'], /^error: nope is not a known setting$/],
        [['settings:set', 'smtp_password', '"x"'], /looks like a secret/],
        [['settings:set', 'email_from_name', 'Acme'], /not JSON/],
        [['settings:set', 'public_registration_enabled', '"yes"'], /^error: public_registration_enabled must be true or false$/],
        [['settings:set', 'allowed_redirect_origins', '[1]'], /^error: allowed_redirect_origins 1 must be an http\(s\) URL or ""$/],
        [['settings:set', 'email_code_ttl', '"soon"'], /must be a duration/],
        [['settings:set', 'login_failure_limit', '2.5'], /must be an integer from 1 to 1000/],
        [['settings:set', 'email_from_name'], /needs <key> and <json value>/],
      ];
      for (const [args, message] of refused) {
        const result = await cli(args, env());
        expect(result.code).toBe(2);
        expect(result.err).toMatch(message);
      }
      const [{ value }] = await db.dataSource.query(`SELECT value FROM plugin_auth_settings WHERE key = 'email_from_name'`);
      expect(value).toBe('Plystra');
    });
  });
});
