import { randomBytes } from 'node:crypto';
import { TEST_ADMIN_URL_ENV, createTestDatabase, databaseUrl, insertUser, withAdminClient, type TestDatabase } from '@plystra/db/testing';
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
    for (const command of ['migrate', 'migrate:verify', 'seed:demo', 'bootstrap-super-admin', 'doctor']) expect(help.out).toContain(command);
    expect((await cli(['bootstrap-super-admin', '--help'], {})).out).toContain('--user-id');
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
});
