/**
 * What the SMTP provider adds to sending a message, measured in one run against one local SMTP
 * sink (smtp-server):
 *   - baseline: Nodemailer's pooled transport, with the provider's own transport options, straight
 *     to the sink;
 *   - relay: the same messages as contract requests to the provider running as its own process
 *     (dist/apps/plugin-email-smtp/src/main.js): bearer check, validation, idempotency claim and
 *     record in PostgreSQL, pooled delivery to the same sink.
 * It prints the latency of both one message at a time, their throughput with many requests in
 * flight, and their latency at a fixed offered load, with the p99 the provider adds.
 *
 *   node tools/build.mjs && node dist/bench/email-smtp-relay.js [messages=3000] [rate=300] [concurrency=32]
 *
 * Uses DATABASE_URL when set (a server URL; a scratch database is created and dropped), otherwise
 * an ephemeral embedded PostgreSQL. Targets: ≥ 300 msg/s through the provider, p99 added < 10 ms.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { runMigrations, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@plystra/db';
import { databaseUrl, withAdminClient } from '@plystra/db/testing';
import { EMAIL_SEND_PATH, type EmailSendRequest } from '@plystra/email-contract';
import { pluginEmailSmtpMigrations } from '../migrations/plugin-email-smtp';
import { transportOptions } from '../apps/plugin-email-smtp/src/delivery/smtp-transport';
import { DEFAULT_SMTP_SETTINGS, type SmtpSettings } from '../apps/plugin-email-smtp/src/settings/smtp-settings';
import { startSmtpSink } from '../apps/plugin-email-smtp/test/smtp-sink';
import { freePort, root } from './support';

const MESSAGES = Math.ceil(Number(process.argv[2] ?? 3000) / 3) * 3;
const RATE = Number(process.argv[3] ?? 300);
const CONCURRENCY = Number(process.argv[4] ?? 32);
const WARMUP = 300;
const TOKEN = randomBytes(32).toString('hex');


function message(i: number, run: string): EmailSendRequest {
  const id = `bench_${run}_${i}`;
  return {
    message_id: id,
    idempotency_key: id,
    purpose: 'auth.email_code',
    from: { address: 'no-reply@plystra.example', name: 'Plystra' },
    to: [{ address: `user${i}@example.org`, name: 'Zoë Example' }],
    subject: 'Your sign-in code: 123456',
    text: 'Your sign-in code is 123456. It expires in 10 minutes.',
    html: '<p>Your sign-in code is <b>123456</b>. It expires in 10 minutes.</p>',
    metadata: { challenge_id: id, delivery_method: 'email_code' },
  };
}

type Job = (i: number) => Promise<void>;
interface Run {
  latencies: number[];
  wallMs: number;
}

/** A quiet second between phases, so one phase's garbage and idle timers do not land in the next. */
const pause = () => new Promise((r) => setTimeout(r, 1000));

/** Closed loop: `count` jobs with `concurrency` always in flight. */
async function saturate(count: number, concurrency: number, job: Job): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await job(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started };
}

/** Open loop: `count` jobs started at `rate` per second whatever the answers do. */
async function offer(count: number, rate: number, job: Job): Promise<Run> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t = performance.now();
    pending.push(job(i).then(() => void latencies.push(performance.now() - t)));
  }
  await Promise.all(pending);
  return { latencies, wallMs: performance.now() - started };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report(name: string, run: Run) {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const stats = { rate: (sorted.length / run.wallMs) * 1000, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)! };
  const ms = (n: number) => `${n.toFixed(2).padStart(7)} ms`;
  console.log(`  ${name.padEnd(30)} ${stats.rate.toFixed(0).padStart(6)} msg/s   p50 ${ms(stats.p50)}   p99 ${ms(stats.p99)}   max ${ms(stats.max)}`);
  return stats;
}

async function startProvider(url: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'dist/apps/plugin-email-smtp/src/main.js')], {
    env: { ...process.env, DATABASE_URL: url, EMAIL_CAPABILITY_TOKEN: TOKEN, EMAIL_SMTP_LISTEN_ADDR: `127.0.0.1:${port}`, LOG_LEVEL: 'info', DATABASE_POOL_SIZE: '20' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout!.resume();
  const until = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the provider exited with code ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
    if (ok) return { endpoint: `http://127.0.0.1:${port}${EMAIL_SEND_PATH}`, child };
    if (Date.now() > until) throw new Error('the provider did not become healthy');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  let embedded: EmbeddedPostgresHandle | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    mkdirSync(join(root, '.data'), { recursive: true });
    embedded = await startEmbeddedPostgres({ dataDir: mkdtempSync(join(root, '.data', 'bench-')), port: await freePort(), ephemeral: true });
    serverUrl = embedded.url;
  }
  const dbName = `bench_email_smtp_${randomBytes(4).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE "${dbName}"`));
  const url = databaseUrl(serverUrl, dbName);
  const sink = await startSmtpSink({ parse: false });
  let provider: ChildProcess | undefined;
  try {
    await runMigrations(url, pluginEmailSmtpMigrations);
    const settings: SmtpSettings = { ...DEFAULT_SMTP_SETTINGS, host: '127.0.0.1', port: sink.port, tls_mode: 'none', pool_size: 10, max_messages_per_connection: 100_000 };
    await withAdminClient(url, async (client) => {
      for (const [key, value] of Object.entries(settings)) {
        await client.query(`UPDATE plugin_email_smtp_settings SET value = $2::jsonb WHERE key = $1`, [key, JSON.stringify(value)]);
      }
    });
    const started = await startProvider(url);
    provider = started.child;

    const raw = nodemailer.createTransport(transportOptions(settings, undefined));
    const direct = (run: string): Job => async (i) => {
      const m = message(i, run);
      await raw.sendMail({ from: { name: m.from.name!, address: m.from.address }, to: m.to.map((r) => ({ name: r.name ?? '', address: r.address })), subject: m.subject, text: m.text, html: m.html });
    };
    const relayed = (run: string): Job => async (i) => {
      const res = await fetch(started.endpoint, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(message(i, run)) });
      const body = (await res.json()) as { accepted?: boolean };
      if (res.status !== 200 || body.accepted !== true) throw new Error(`relay failed: ${res.status} ${JSON.stringify(body)}`);
    };

    console.log(`email-smtp-relay: ${MESSAGES} messages per phase, pool of ${settings.pool_size} SMTP connections, node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}`);
    await saturate(WARMUP, CONCURRENCY, direct('warm-direct'));
    await saturate(WARMUP, CONCURRENCY, relayed('warm-relay'));
    const before = sink.messages.length;

    console.log('one message at a time:');
    await pause();
    const soloBaseline = report('nodemailer → sink', await saturate(MESSAGES / 3, 1, direct('solo-direct')));
    await pause();
    const soloRelay = report('provider → sink (HTTP + PG)', await saturate(MESSAGES / 3, 1, relayed('solo-relay')));

    console.log(`throughput, ${CONCURRENCY} in flight:`);
    await pause();
    report('nodemailer → sink', await saturate(MESSAGES, CONCURRENCY, direct('sat-direct')));
    await pause();
    const throughput = report('provider → sink (HTTP + PG)', await saturate(MESSAGES, CONCURRENCY, relayed('sat-relay')));

    console.log(`latency at ${RATE} msg/s offered:`);
    await pause();
    const baseline = report('nodemailer → sink', await offer(MESSAGES, RATE, direct('rate-direct')));
    await pause();
    const relay = report('provider → sink (HTTP + PG)', await offer(MESSAGES, RATE, relayed('rate-relay')));

    const delivered = sink.messages.length - before;
    const expected = 4 * MESSAGES + 2 * (MESSAGES / 3);
    const addedSolo = soloRelay.p99 - soloBaseline.p99;
    const addedAtRate = relay.p99 - baseline.p99;
    console.log(`delivered to the sink: ${delivered} of ${expected}`);
    console.log(`provider throughput: ${throughput.rate.toFixed(0)} msg/s (target ≥ 300)`);
    console.log(`p99 added by the provider: ${addedSolo.toFixed(2)} ms one at a time, ${addedAtRate.toFixed(2)} ms at ${RATE} msg/s (target < 10 ms)`);
    console.log(throughput.rate >= 300 && addedSolo < 10 && addedAtRate < 10 && delivered === expected ? 'PASS' : 'MISS');
    raw.close();
  } finally {
    if (provider && provider.exitCode === null) {
      const exited = new Promise((r) => provider!.once('exit', r));
      provider.kill('SIGTERM');
      await exited;
    }
    await sink.close();
    await withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
    await embedded?.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
