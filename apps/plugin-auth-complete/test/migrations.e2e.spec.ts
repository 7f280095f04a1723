import { MigrationPrerequisiteError, runMigrations } from '@plystra/db';
import { TEST_ADMIN_URL_ENV, databaseUrl, withAdminClient } from '@plystra/db/testing';
import { coreMigrations } from '@plystra/migrations-core';
import { pluginAuthCompleteMigrations } from '@plystra/migrations-plugin-auth-complete';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

describe('the plugin migrations', () => {
  const adminUrl = process.env[TEST_ADMIN_URL_ENV]!;
  const name = `plystra_plugin_mig_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl(adminUrl, name);
  const query = async (sql: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const tables = async () => (await query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).map((r) => r.tablename as string);

  beforeAll(() => withAdminClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`)));
  afterAll(() => withAdminClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));

  it('refuse to run before Core’s schema, then refuse while it is behind, then create only plugin_auth_* tables', async () => {
    const missing = runMigrations(url, pluginAuthCompleteMigrations);
    await expect(missing).rejects.toBeInstanceOf(MigrationPrerequisiteError);
    await expect(runMigrations(url, pluginAuthCompleteMigrations)).rejects.toThrow(/need core's schema, which is missing: run the core migrations first/);
    expect(await tables()).not.toContain('plugin_auth_settings');

    await runMigrations(url, coreMigrations);
    const last = coreMigrations.migrations.at(-1)!;
    await query(`DELETE FROM core_migrations WHERE name = '${new last().name}'`);
    await expect(runMigrations(url, pluginAuthCompleteMigrations)).rejects.toThrow(/need core's schema to be current; pending: /);
    const lastName = new last().name!;
    await query(`INSERT INTO core_migrations (timestamp, name) VALUES (${/\d+$/.exec(lastName)![0]}, '${lastName}')`);

    const coreTables = await tables();
    expect(await runMigrations(url, pluginAuthCompleteMigrations)).toEqual(['CreatePluginAuthSettings1765000000000', 'CreatePluginAuthChallenges1765000000100']);
    const added = (await tables()).filter((t) => !coreTables.includes(t));
    expect(added).toEqual(['plugin_auth_challenges', 'plugin_auth_migrations', 'plugin_auth_settings']);
    expect(await runMigrations(url, pluginAuthCompleteMigrations)).toEqual([]);
    const [{ count }] = await query(`SELECT count(*)::int AS count FROM plugin_auth_settings`);
    expect(count).toBe(19);
  });
});
