import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source';

/** Set by the test run's global setup: a server URL and the migrated template database. */
export const TEST_ADMIN_URL_ENV = 'PLYSTRA_TEST_ADMIN_URL';
export const TEST_TEMPLATE_ENV = 'PLYSTRA_TEST_TEMPLATE_DB';
export const TEST_DB_PREFIX = 'plystra_test_';

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(serverUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  dataSource: DataSource;
  /** Empties every table except the append-only audit log (which refuses it), the migration logs and the seeded settings tables. */
  truncate(): Promise<void>;
  drop(): Promise<void>;
}

/**
 * A fresh, fully migrated database on the run's real PostgreSQL, cloned from the template the
 * global setup migrated once. Every test file gets its own, so files run in parallel safely.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env[TEST_ADMIN_URL_ENV];
  const template = process.env[TEST_TEMPLATE_ENV];
  if (!adminUrl || !template) throw new Error('the test database server is not set up (run the tests through jest, whose global setup starts it)');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(adminUrl, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        // Two clones of one template at the same instant can collide; try again shortly.
        if (attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
      }
    }
  });
  const url = databaseUrl(adminUrl, name);
  const dataSource = createDataSource({ url, poolSize: 10 });
  await dataSource.initialize();
  return {
    url,
    name,
    dataSource,
    async truncate() {
      const rows: Array<{ tablename: string }> = await dataSource.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'audit_logs' AND tablename NOT LIKE '%\\_migrations' AND tablename NOT LIKE '%\\_settings'`,
      );
      if (rows.length) await dataSource.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} CASCADE`);
    },
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
