import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_ADMIN_URL_ENV, TEST_TEMPLATE_ENV, withAdminClient } from '../../libs/db/src/testing';

/** Drops the template and every database cloned from it, then stops the embedded server. */
export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env[TEST_ADMIN_URL_ENV];
  const template = process.env[TEST_TEMPLATE_ENV];
  if (adminUrl && template) {
    await withAdminClient(adminUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${template}%`]);
      for (const { datname } of rows.sort((a, b) => b.datname.length - a.datname.length)) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    });
  }
  rmSync(join(__dirname, '..', '..', '.data', `test-run-${process.pid}.json`), { force: true });
  await globalThis.__PLYSTRA_EMBEDDED__?.stop();
}
