import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runMigrations, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../libs/db/src';
import { TEST_ADMIN_URL_ENV, TEST_DB_PREFIX, TEST_TEMPLATE_ENV, databaseUrl, withAdminClient } from '../../libs/db/src/testing';
import { allMigrationSets } from '../../migrations';
import { freePort } from '../../libs/db/src/testing/free-port';

declare global {

  var __PLYSTRA_EMBEDDED__: EmbeddedPostgresHandle | undefined;
}

/**
 * Once per `jest` run: a real PostgreSQL (the server named by DATABASE_URL, or an embedded one
 * from npm), and a template database with every service's migrations applied. Test files clone
 * the template (createTestDatabase), so migrations run once and files stay isolated.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..', '.data');
  mkdirSync(root, { recursive: true });
  let adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    console.log(`\n[test db] using the PostgreSQL server at DATABASE_URL`);
  } else {
    const dataDir = mkdtempSync(join(root, 'test-'));
    const handle = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true });
    globalThis.__PLYSTRA_EMBEDDED__ = handle;
    adminUrl = handle.url;
    console.log(`\n[test db] started an embedded PostgreSQL on port ${handle.port}`);
  }
  const template = `${TEST_DB_PREFIX}${randomBytes(4).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE "${template}"`));
  const templateUrl = databaseUrl(adminUrl, template);
  for (const set of allMigrationSets) await runMigrations(templateUrl, set);
  process.env[TEST_ADMIN_URL_ENV] = adminUrl;
  process.env[TEST_TEMPLATE_ENV] = template;
  // Keep the server URL for scripts the tests spawn (they inherit process.env).
  writeFileSync(join(root, `test-run-${process.pid}.json`), JSON.stringify({ adminUrl, template }));
}
