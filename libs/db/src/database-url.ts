import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres';

export const DEFAULT_EMBEDDED_PORT = 54329;
export const DEFAULT_EMBEDDED_DATABASE = 'plystra';

export interface ResolvedDatabase {
  url: string;
  /** Present when an embedded PostgreSQL was started for this process. */
  embedded?: EmbeddedPostgresHandle;
}

export interface ResolveDatabaseOptions {
  /** DATABASE_URL / PLYSTRA_DATABASE_URL, already read by the caller's config. */
  url?: string;
  production: boolean;
  /** Workspace root; the embedded cluster lives in `<root>/.data/postgres`. */
  workspaceRoot: string;
  embeddedPort?: number;
  onLog?: (line: string) => void;
}

/**
 * The database a process should use: the configured URL, or (outside production only) an
 * embedded PostgreSQL whose data lives in the git-ignored `.data/` folder.
 */
export async function resolveDatabase(options: ResolveDatabaseOptions): Promise<ResolvedDatabase> {
  if (options.url) return { url: options.url };
  if (options.production) throw new Error('DATABASE_URL (or PLYSTRA_DATABASE_URL) is required in production');
  const embedded = await startEmbeddedPostgres({
    dataDir: join(options.workspaceRoot, '.data', 'postgres'),
    port: options.embeddedPort ?? DEFAULT_EMBEDDED_PORT,
    onLog: options.onLog,
  });
  const client = new Client({ connectionString: embedded.url });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DEFAULT_EMBEDDED_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DEFAULT_EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
  const url = new URL(embedded.url);
  url.pathname = `/${DEFAULT_EMBEDDED_DATABASE}`;
  return { url: url.toString(), embedded };
}
