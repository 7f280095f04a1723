import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePort } from '../libs/db/src/testing/free-port';

/**
 * `node dist/tools/quickstart-check.js`: does what the README's quick start says, after install,
 * and fails loudly when any step does not hold:
 *
 *  1. runs `node dist/tools/start/main.js` (what `npm start` runs after building) on free ports;
 *     with DATABASE_URL set it uses a fresh database on that server (created, then dropped), so a
 *     developer's data is never touched; without it, the embedded cluster in .data/;
 *  2. parses the printed URLs and checks each service answers;
 *  3. logs in as the printed demo user with the printed login curl, and runs the printed
 *     authorization-check curl, which must allow;
 *  4. asks the auth plugin for an email code and waits for the SMTP sink to print the mail (then
 *     verifies that code on the plugin);
 *  5. sends SIGINT and checks every process `npm start` started is gone and its ports are closed.
 */

const root = resolve(__dirname, '..', '..');
const START_ENTRY = join(root, 'dist', 'tools', 'start', 'main.js');
const CLI_ENTRY = join(root, 'dist', 'apps', 'core', 'src', 'cli', 'main.js');

export class QuickstartFailure extends Error {}

export interface QuickstartOptions {
  /** A PostgreSQL server URL; a fresh database is created on it and dropped afterwards. Unset: the embedded cluster. */
  databaseUrl?: string;
  /** Overall limit for the start-up (ms). */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function databaseOn(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Every live descendant of `pid` (Linux /proc). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    for (const child of parents.get(stack.pop()!) ?? []) {
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new QuickstartFailure(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function json(res: Response): Promise<{ data?: Record<string, unknown>; error?: unknown }> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new QuickstartFailure(`${res.url} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await json(res) };
}

/** The printed "Try it" curls: each as {url, headers, body}, line continuations joined. */
export function printedCurls(output: string): Array<{ url: string; body: unknown; bearer: boolean }> {
  const joined = output.replace(/\\\n\s*/g, ' ');
  const curls: Array<{ url: string; body: unknown; bearer: boolean }> = [];
  for (const m of joined.matchAll(/curl -s (\S+)(.*?)-d '([^']*)'/g)) curls.push({ url: m[1], bearer: m[2].includes('Authorization: Bearer'), body: JSON.parse(m[3]) });
  return curls;
}

/** Runs the quick start check; resolves with the steps it proved, rejects with the first that failed. */
export async function quickstartCheck(options: QuickstartOptions = {}): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  const steps: string[] = [];
  const step = (line: string) => {
    steps.push(line);
    log(`ok   ${line}`);
  };
  const fresh = options.databaseUrl ? `plystra_quickstart_${randomBytes(4).toString('hex')}` : null;
  if (fresh) await withClient(options.databaseUrl!, (c) => c.query(`CREATE DATABASE ${fresh}`));
  const ports = { CORE_PORT: await freePort(), AUTH_PLUGIN_PORT: await freePort(), EMAIL_SMTP_PORT: await freePort(), SMTP_SINK_PORT: await freePort() };
  const env: NodeJS.ProcessEnv = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), LOG_LEVEL: 'warn' };
  delete env.PLYSTRA_DATABASE_URL;
  if (fresh) env.DATABASE_URL = databaseOn(options.databaseUrl!, fresh);
  else delete env.DATABASE_URL;

  let output = '';
  const started = Date.now();
  const start: ChildProcess = spawn(process.execPath, [START_ENTRY], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let exited: number | null | undefined;
  start.once('exit', (code, signal) => {
    exited = code ?? (signal ? 128 : null);
  });
  start.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  start.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const failed = (message: string) => new QuickstartFailure(`${message}\n--- npm start output ---\n${output}`);
  try {
    await until('"Plystra is running"', options.startTimeoutMs ?? 25_000, () => {
      if (exited !== undefined) throw failed(`npm start exited (code ${exited}) before it was ready`);
      return output.includes('Plystra is running') && output.includes('-d \'{"resource_type"') ? true : undefined;
    });
    step(`npm start is ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // 2. Every printed URL answers.
    const urls = new Map([...output.matchAll(/^ {2}(core|plugin-auth-complete|plugin-email-smtp) +(http:\/\/\S+)$/gm)].map((m) => [m[1], m[2]]));
    for (const name of ['core', 'plugin-auth-complete', 'plugin-email-smtp']) if (!urls.has(name)) throw failed(`npm start did not print the URL of ${name}`);
    const probes: Record<string, string> = { core: `${urls.get('core')}/ready`, 'plugin-auth-complete': `${urls.get('plugin-auth-complete')}/health`, 'plugin-email-smtp': `${urls.get('plugin-email-smtp')}/health` };
    for (const [name, url] of Object.entries(probes)) {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) throw failed(`${name}: GET ${url} answered ${res.status}: ${await res.text()}`);
      step(`${name} answers GET ${url}`);
    }

    // 3. The printed login and check.
    const login = /Demo login: (\S+@\S+) \/ (\S+)/.exec(output);
    if (!login) throw failed('npm start did not print the demo login');
    const curls = printedCurls(output);
    const loginCurl = curls.find((c) => c.url.endsWith('/auth/login'));
    const checkCurl = curls.find((c) => c.url.endsWith('/authz/check'));
    if (!loginCurl || !checkCurl) throw failed('npm start did not print the login and check curls');
    const signedIn = await postJson(loginCurl.url, loginCurl.body);
    const token = signedIn.body.data?.access_token;
    if (signedIn.status !== 200 || typeof token !== 'string') throw failed(`login as ${login[1]} answered ${signedIn.status}: ${JSON.stringify(signedIn.body)}`);
    step(`logged in as ${login[1]} with the printed curl`);
    const check = await postJson(checkCurl.url, checkCurl.body, checkCurl.bearer ? { authorization: `Bearer ${token}` } : {});
    if (check.status !== 200 || check.body.data?.allow !== true) throw failed(`the printed check did not allow: ${check.status} ${JSON.stringify(check.body)}`);
    step(`the printed authorization check allows (${JSON.stringify(checkCurl.body)})`);

    // 4. The README's `api-keys:create` line makes a key the running stack accepts.
    const created = spawnSync(
      process.execPath,
      [CLI_ENTRY, 'api-keys:create', '--created-by-user-id', 'user_alice', '--name', 'quickstart', '--level', 'space', '--space-id', 'space_acme', '--permission', 'authz:check'],
      { cwd: root, env, encoding: 'utf8', timeout: 30_000 },
    );
    const apiKey = /ply_ak_[^\s"]+/.exec(created.stdout ?? '')?.[0];
    if (created.status !== 0 || !apiKey) throw failed(`api-keys:create exited ${created.status}: ${created.stdout}${created.stderr}`);
    const actor = { user_id: 'user_alice', member_id: 'member_finance_reviewer', user_member_id: 'um_alice_finance_reviewer', space_id: 'space_acme' };
    const keyCheck = await postJson(checkCurl.url, { actor, ...(checkCurl.body as object) }, { 'x-plystra-api-key': apiKey });
    if (keyCheck.status !== 200 || keyCheck.body.data?.allow !== true) throw failed(`a check with the CLI's API key did not allow: ${keyCheck.status} ${JSON.stringify(keyCheck.body)}`);
    step('an API key from `plystra api-keys:create` authenticates a check against the running stack');

    // 5. An email code through the plugin, the provider and the sink.
    const plugin = urls.get('plugin-auth-complete')!;
    const before = output.length;
    const sent = await postJson(`${plugin}/api/v1/auth/email-code`, { email: login[1] });
    if (sent.status !== 202) throw failed(`email-code answered ${sent.status}: ${JSON.stringify(sent.body)}`);
    const code = await until(`the sink to print the mail to ${login[1]}`, 10_000, () => {
      const mail = output.slice(before);
      const at = mail.indexOf(`mail to ${login[1]}`);
      return at >= 0 ? /\b(\d{6})\b/.exec(mail.slice(at))?.[1] : undefined;
    });
    step(`the email code reached the SMTP sink through plugin-email-smtp`);
    const verified = await postJson(`${plugin}/api/v1/auth/email-code/verify`, { email: login[1], code });
    if (verified.status !== 200 || verified.body.data?.verified !== true) throw failed(`email-code/verify answered ${verified.status}: ${JSON.stringify(verified.body)}`);
    step('the printed code signs in on the plugin');

    // 6. Ctrl-C stops everything.
    const tree = descendants(start.pid!);
    if (tree.length < 3) throw failed(`expected at least three service processes under npm start, found ${tree.length}`);
    start.kill('SIGINT');
    await until('npm start to exit after SIGINT', 15_000, () => (exited !== undefined ? true : undefined));
    if (exited !== 0) throw failed(`npm start exited with ${exited} after SIGINT`);
    const left = await until('every child process to be gone', 5_000, () => {
      const remaining = tree.filter(alive);
      return remaining.length ? undefined : remaining;
    }).catch(() => tree.filter(alive));
    if (left.length) throw failed(`processes still running after SIGINT: ${left.join(', ')}`);
    for (const [name, port] of Object.entries(ports)) {
      if (!(await portFree(port))) throw failed(`${name} ${port} is still in use`);
    }
    step(`SIGINT stopped npm start and all ${tree.length} processes it started`);
    return steps;
  } finally {
    if (exited === undefined && start.pid) {
      try {
        process.kill(-start.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await until('npm start to be killed', 5_000, () => (exited !== undefined ? true : undefined)).catch(() => undefined);
    }
    if (fresh) await withClient(options.databaseUrl!, (c) => c.query(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`)).catch(() => undefined);
  }
}

if (require.main === module) {
  const began = Date.now();
  quickstartCheck({ databaseUrl: process.env.DATABASE_URL ?? process.env.PLYSTRA_DATABASE_URL, log: (line) => console.log(line) }).then(
    () => {
      console.log(`quick start check passed in ${((Date.now() - began) / 1000).toFixed(1)} s`);
      process.exit(0);
    },
    (error: Error) => {
      console.error(`quick start check FAILED: ${error.message}`);
      process.exit(1);
    },
  );
}
