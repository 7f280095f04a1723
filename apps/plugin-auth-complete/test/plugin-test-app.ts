import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '@plystra/db/testing';
import { createLogger, listen } from '@plystra/http';
import { PasswordHasher, provisionDefaultSpaceAccount } from '@plystra/session';
import request from 'supertest';
import { loadPluginConfig, type PluginConfig } from '../src/config/plugin-config';
import { createPluginApp } from '../src/plugin.app';
import { SettingsService } from '../src/settings/settings.service';

/** The same secret as Core's test harness, so sessions minted by one are accepted by the other. */
export const TEST_SESSION_SECRET = 'test-session-secret-0123456789abcdef0123';
export const TEST_CAPABILITY_TOKEN = 'cap_test_token_0123456789abcdef0123456789';
export const TEST_PASSWORD = 'correct horse battery staple';

export interface LoggedEmail {
  challenge_id: string;
  purpose: string;
  to: string;
  subject: string;
  text: string;
}

export interface PluginTestApp {
  app: INestApplication;
  db: TestDatabase;
  http: ReturnType<typeof request>;
  /** Every log line the app wrote, for secret scans and for log-mode delivery. */
  logs: string[];
  settings: SettingsService;
  /** Writes settings with plain SQL (as an operator would) and waits until this instance has re-read them. */
  setSettings(values: Record<string, unknown>): Promise<void>;
  /** Emails written to the log (log delivery mode), oldest first. */
  emailsTo(address: string): LoggedEmail[];
  lastCode(address: string): string;
  lastLink(address: string): string;
  /** Listens on an ephemeral port; resolves with the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface StartPluginOptions {
  db?: TestDatabase;
  env?: Record<string, string>;
  /** Settings to write before the app starts (plain SQL). */
  settings?: Record<string, unknown>;
  config?: Partial<PluginConfig>;
}

export async function writeSettings(db: TestDatabase, values: Record<string, unknown>): Promise<void> {
  for (const [key, value] of Object.entries(values)) {
    await db.dataSource.query(`UPDATE plugin_auth_settings SET value = $2::jsonb, updated_by = 'test' WHERE key = $1`, [key, JSON.stringify(value)]);
  }
}

/**
 * The plugin on a fresh database (or a shared one: pass `db`), with exactly the modules production
 * runs. Logs are captured; the email delivery mode is the database's (log by default).
 */
export async function startPlugin(options: StartPluginOptions = {}): Promise<PluginTestApp> {
  const db = options.db ?? (await createTestDatabase());
  if (options.settings) await writeSettings(db, options.settings);
  const config = {
    ...loadPluginConfig({ PLYSTRA_SESSION_SECRET: TEST_SESSION_SECRET, PLYSTRA_EMAIL_CAPABILITY_TOKEN: TEST_CAPABILITY_TOKEN, LOG_LEVEL: 'debug', ...options.env }),
    maintenanceIntervalMs: 0,
    ...options.config,
  };
  const logs: string[] = [];
  const logger = createLogger({ service: 'plugin-auth-complete', level: config.logLevel, destination: { write: (line) => void logs.push(line) } });
  const app = await createPluginApp({ ...config, databaseUrl: db.url }, logger);
  const settings = app.get(SettingsService);
  const emailsTo = (address: string): LoggedEmail[] =>
    logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.email_delivery === 'log' && entry.to === address)
      .map((entry) => entry as unknown as LoggedEmail);
  return {
    app,
    db,
    http: request(app.getHttpServer()),
    logs,
    settings,
    async setSettings(values) {
      await writeSettings(db, values);
      await settings.reload();
    },
    emailsTo,
    lastCode(address) {
      const email = emailsTo(address).at(-1);
      const code = email && /sign-in code is (\d{6})\./.exec(email.text)?.[1];
      if (!code) throw new Error(`no code was emailed to ${address}`);
      return code;
    },
    lastLink(address) {
      const email = emailsTo(address).at(-1);
      const link = email && /^(https?:\/\/\S+)$/m.exec(email.text)?.[1];
      if (!link) throw new Error(`no link was emailed to ${address}`);
      return link;
    },
    async listen() {
      const port = await listen(app, '127.0.0.1', 0);
      return `http://127.0.0.1:${port}`;
    },
    async close() {
      await app.close();
      if (!options.db) await db.drop();
    },
  };
}

const passwords = new PasswordHasher();
const hashes = new Map<string, Promise<string>>();
/** One real Argon2id hash per password per test process (hashing is deliberately slow). */
const hashOf = (password: string) => {
  if (!hashes.has(password)) hashes.set(password, passwords.hash(password));
  return hashes.get(password)!;
};

/** An active user with a member and primary binding in space_default (as registration makes it). */
export async function createUser(db: TestDatabase, email: string, password: string | null = TEST_PASSWORD) {
  const passwordHash = password ? await hashOf(password) : null;
  return db.dataSource.transaction((manager) => provisionDefaultSpaceAccount(manager, { email, passwordHash }));
}

export const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

/** Runs `fn` concurrently `n` times and returns the results in order. */
export function concurrently<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}
