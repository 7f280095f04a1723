import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { runMigrations, startEmbeddedPostgres } from '@plystra/db';
import { startContractTestServer } from '@plystra/email-contract/testing';
import { coreMigrations } from '@plystra/migrations-core';
import { pluginAuthCompleteMigrations } from '@plystra/migrations-plugin-auth-complete';

/**
 * Full passwordless flows per second against a running auth plugin (child process, capability
 * delivery to a local contract server): email code (send → read the code from the provider →
 * verify) and magic link (send → read the link → consume), with p50/p99 per flow, plus the send
 * latency for an address with and without an account (the enumeration timing guard).
 *
 * Run: node tools/build.mjs && node dist/bench/passwordless-flows.js
 * Options (env): DATABASE_URL (a server to create a scratch database on; default: an ephemeral
 * embedded PostgreSQL), BENCH_SECONDS (10), BENCH_CONCURRENCY (16), BENCH_PLUGIN_NODE_ARGS (extra node
 * flags for the plugin process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
const root = resolve(__dirname, '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TOKEN = 'bench-capability-token-0123456789abcdef0123';
const USERS = 200_000;

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const ms = (v: number) => `${v.toFixed(1)} ms`;

async function scratchDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  let serverUrl = process.env.DATABASE_URL;
  let stopServer = async (): Promise<void> => undefined;
  if (!serverUrl) {
    const handle = await startEmbeddedPostgres({ dataDir: mkdtempSync(join(tmpdir(), 'plystra-bench-pg-')), port: await freePort(), ephemeral: true });
    serverUrl = handle.url;
    stopServer = () => handle.stop();
  }
  const name = `plystra_bench_auth_${Date.now()}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      await stopServer();
    },
  };
}

async function startPlugin(url: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...(process.env.BENCH_PLUGIN_NODE_ARGS ?? '').split(' ').filter(Boolean), join(root, 'dist/apps/plugin-auth-complete/src/main.js')], {
    env: { ...process.env, DATABASE_URL: url, AUTH_PLUGIN_LISTEN_ADDR: `127.0.0.1:${port}`, PLYSTRA_SESSION_SECRET: 'bench-session-secret-0123456789abcdef', PLYSTRA_EMAIL_CAPABILITY_TOKEN: TOKEN, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the plugin exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function main(): Promise<void> {
  const db = await scratchDatabase();
  const provider = await startContractTestServer({ token: TOKEN, provider: 'bench' });
  let child: ChildProcess | null = null;
  try {
    await runMigrations(db.url, coreMigrations);
    await runMigrations(db.url, pluginAuthCompleteMigrations);
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query(`INSERT INTO spaces (id, name, type) VALUES ('space_default', 'Default Space', 'default')`);
    await c.query(`INSERT INTO users (id, email, status) SELECT 'user_b' || g, 'bench' || g || '@example.com', 'active' FROM generate_series(1, ${USERS}) g`);
    await c.query(`INSERT INTO members (id, space_id, display_name) SELECT 'member_b' || g, 'space_default', 'Bench ' || g FROM generate_series(1, ${USERS}) g`);
    await c.query(
      `INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, status, is_primary, linked_at)
       SELECT 'um_b' || g, 'user_b' || g, 'member_b' || g, 'space_default', 'self', 'active', true, now() FROM generate_series(1, ${USERS}) g`,
    );
    const settings: Record<string, unknown> = {
      email_delivery_mode: 'capability', email_capability_url: provider.url, email_from_address: 'auth@example.com',
      server_public_url: 'https://auth.example.com', trusted_proxy_cidrs: ['loopback'],
    };
    for (const [key, value] of Object.entries(settings)) await c.query(`UPDATE plugin_auth_settings SET value = $2::jsonb WHERE key = $1`, [key, JSON.stringify(value)]);
    await c.query('VACUUM ANALYZE');
    await c.end();

    const port = await freePort();
    child = await startPlugin(db.url, port);
    const base = `http://127.0.0.1:${port}/api/v1/auth`;

    // The provider's deliveries, indexed by address as they arrive.
    const latest = new Map<string, string>();
    let indexed = 0;
    const delivered = (email: string): string => {
      for (; indexed < provider.deliveries.length; indexed++) {
        const d = provider.deliveries[indexed];
        latest.set(d.to[0].address, d.text ?? '');
      }
      const text = latest.get(email);
      if (!text) throw new Error(`nothing delivered to ${email}`);
      return text;
    };

    let next = 0;
    const post = async (path: string, body: unknown, ip: string) => {
      const res = await fetch(`${base}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, text };
    };
    const ipOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

    const steps = new Map<string, number[]>();
    const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
      const t = performance.now();
      const result = await fn();
      if (!steps.has(step)) steps.set(step, []);
      steps.get(step)!.push(performance.now() - t);
      return result;
    };
    const flows = {
      email_code: async (i: number) => {
        const email = `bench${i}@example.com`;
        const ip = ipOf(i);
        const sent = await timed('POST email-code', () => post('email-code', { email }, ip));
        if (sent.status !== 202) throw new Error(`email-code ${sent.status} ${sent.text}`);
        const code = /sign-in code is (\d{6})\./.exec(delivered(email))![1];
        const verified = await timed('POST email-code/verify', () => post('email-code/verify', { email, code }, ip));
        if (verified.status !== 200) throw new Error(`verify ${verified.status} ${verified.text}`);
      },
      magic_link: async (i: number) => {
        const email = `bench${i}@example.com`;
        const ip = ipOf(i);
        const sent = await timed('POST magic-link', () => post('magic-link', { email }, ip));
        if (sent.status !== 202) throw new Error(`magic-link ${sent.status} ${sent.text}`);
        const token = /token=(ply_ml_[0-9a-f]{64})/.exec(delivered(email))![1];
        const consumed = await timed('POST magic-link/consume', () => post('magic-link/consume', { token }, ip));
        if (consumed.status !== 200) throw new Error(`consume ${consumed.status} ${consumed.text}`);
      },
    };

    const run = async (flow: (i: number) => Promise<void>, seconds: number) => {
      const latencies: number[] = [];
      const deadline = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < deadline) {
            const i = ++next;
            if (i > USERS) throw new Error('ran out of bench users; raise USERS');
            const t = performance.now();
            await flow(i);
            latencies.push(performance.now() - t);
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      return { perSecond: latencies.length / elapsed, p50: pct(latencies, 50), p99: pct(latencies, 99), n: latencies.length };
    };

    await run(flows.email_code, 2); // warm-up
    await run(flows.magic_link, 2);
    steps.clear();
    const codeResult = await run(flows.email_code, SECONDS);
    const linkResult = await run(flows.magic_link, SECONDS);

    // Send latency with and without an account, interleaved (the decoy pads to the real send's time).
    const known: number[] = [];
    const unknown: number[] = [];
    for (let round = 0; round < 400; round++) {
      const i = ++next;
      for (const [email, bucket] of [[`bench${i}@example.com`, known], [`nobody${i}@example.com`, unknown]] as const) {
        const t = performance.now();
        const res = await post('email-code', { email }, ipOf(i));
        if (res.status !== 202) throw new Error(`email-code ${res.status}`);
        bucket.push(performance.now() - t);
      }
    }
    known.sort((a, b) => a - b);
    unknown.sort((a, b) => a - b);

    console.log(`\nPassword-less flows, ${SECONDS} s each, concurrency ${CONCURRENCY}, one plugin process (pool 10), capability delivery to a local contract server`);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`);
    console.log('| flow | flows/s | p50 | p99 | flows |');
    console.log('|---|---|---|---|---|');
    for (const [name, r] of [['email code (send + verify)', codeResult], ['magic link (send + consume)', linkResult]] as const) {
      console.log(`| ${name} | ${r.perSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.n} |`);
    }
    console.log('\nPer request, during the runs above:');
    console.log('| request | p50 | p99 |');
    console.log('|---|---|---|');
    for (const [step, values] of steps) {
      values.sort((a, b) => a - b);
      console.log(`| ${step} | ${ms(pct(values, 50))} | ${ms(pct(values, 99))} |`);
    }
    console.log('\nSend latency, one at a time, interleaved (enumeration timing):');
    console.log('| address | p50 | p99 |');
    console.log('|---|---|---|');
    console.log(`| has an account (row + email) | ${ms(pct(known, 50))} | ${ms(pct(known, 99))} |`);
    console.log(`| no account (nothing stored or sent) | ${ms(pct(unknown, 50))} | ${ms(pct(unknown, 99))} |`);
    console.log(`| ratio of p50 (no account / account) | ${(pct(unknown, 50) / pct(known, 50)).toFixed(2)} | |`);
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await provider.close();
    await db.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
