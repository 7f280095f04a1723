import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { runDir } from './figures';
import { type RunningService, startService } from './services';
import { freePort } from '../../libs/db/src/testing/free-port';

export { freePort };

export interface OwnCluster {
  /** URL of the maintenance database `postgres`. */
  adminUrl: string;
  url(database: string): string;
  owner(): RunningService;
  /** Stops PostgreSQL (fast shutdown: open connections are terminated) and waits until it is down. */
  stop(): Promise<void>;
  /** Starts it again on the same data folder and port; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL cluster of this test's own, run by the workspace's owner script
 * (`dist/libs/db/src/testing/embedded-postgres-owner.js <dir> <port>`) so it can be stopped and
 * started again under a running service.
 */
export async function startOwnCluster(name: string): Promise<OwnCluster> {
  const dir = join(runDir(), name);
  const port = await freePort();
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const launch = () => startService('postgres', {}, { name, args: [dir, String(port)], timeoutMs: 120_000 });
  let owner = await launch();
  return {
    adminUrl,
    url: (database) => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    owner: () => owner,
    stop: () => owner.stop(),
    async start() {
      owner = await launch();
    },
    async destroy() {
      await owner.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
