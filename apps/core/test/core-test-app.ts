import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { createLogger } from '@plystra/http';
import { Writable } from 'node:stream';
import request from 'supertest';
import { loadCoreConfig } from '../src/config/core-config';
import { createCoreApp } from '../src/core.app';
import { seedDemo } from '../src/demo/demo-seed';

export const TEST_SESSION_SECRET = 'test-session-secret-0123456789abcdef0123';

export interface CoreTestApp {
  app: INestApplication;
  db: TestDatabase;
  http: ReturnType<typeof request>;
  /** Every log line the app wrote, for secret scans. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * Core on its own fresh database, with exactly the modules production runs. `env` overrides the
 * test defaults; pass `db` to share a database between two instances.
 */
export async function startCore(options: { env?: Record<string, string>; seed?: boolean; db?: TestDatabase } = {}): Promise<CoreTestApp> {
  const db = options.db ?? (await createTestDatabase());
  if (options.seed !== false) await seedDemo(db.dataSource);
  const config = loadCoreConfig({
    PLYSTRA_SESSION_SECRET: TEST_SESSION_SECRET,
    PLYSTRA_API_KEY_SECRET: 'test-api-key-secret-0123456789abcdef0123',
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const logs: string[] = [];
  const destination = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const logger = createLogger({ service: 'core', level: config.logLevel, destination: { write: (line) => destination.write(line) } });
  const app = await createCoreApp({ ...config, databaseUrl: db.url }, logger);
  return {
    app,
    db,
    http: request(app.getHttpServer()),
    logs,
    async close() {
      await app.close();
      if (!options.db) await db.drop();
    },
  };
}
