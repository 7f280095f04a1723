import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePort } from './testing/free-port';

const root = resolve(__dirname, '../../..');
const owner = join(root, 'dist/libs/db/src/testing/embedded-postgres-owner.js');

function startOwner(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [owner, dataDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    child.stdout!.on('data', (chunk) => String(chunk).includes('ready') && done(child));
    child.once('exit', (code) => fail(new Error(`owner exited early with ${code}`)));
  });
}

async function answers(port: number): Promise<boolean> {
  const client = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// The cluster is started in child processes: embedded-postgres is an ES module, which Jest's
// module sandbox cannot load, while plain Node 20.19+ can.
describe('embedded PostgreSQL lifecycle', () => {
  let dataDir: string;
  beforeAll(() => {
    if (!existsSync(owner)) throw new Error(`${owner} is missing: run the suite with "npm test", which builds dist/ first`);
    dataDir = mkdtempSync(join(root, '.data', 'lifecycle-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops cleanly on SIGTERM, and recovers after the owner is killed with SIGKILL', async () => {
    const port = await freePort();
    const first = await startOwner(dataDir, port);
    expect(await answers(port)).toBe(true);
    const exited = new Promise((done) => first.once('exit', done));
    first.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
    expect(await answers(port)).toBe(false);

    const second = await startOwner(dataDir, port);
    second.kill('SIGKILL');
    await new Promise((done) => second.once('exit', done));
    // The owner is gone; its postmaster and pid file are left behind.
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(true);

    const recovered = await startOwner(dataDir, port);
    expect(await answers(port)).toBe(true);
    const done = new Promise((resolve) => recovered.once('exit', resolve));
    recovered.kill('SIGINT');
    expect(await done).toBe(0);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });
});
