import { randomBytes } from 'node:crypto';
import { runMigrations } from '@plystra/db';
import { EMAIL_SEND_PATH } from '@plystra/email-contract';
import { allMigrationSets } from '@plystra/migrations';
import { DEMO_PASSWORD } from '../apps/core/src/demo/demo-seed';
import { devServices, prepareDevDatabase } from '../tools/start/services';
import { startSmtpSink } from '../tools/start/smtp-sink';
import { loadFromChild, type LoadPlan } from './load';
import type { BenchContext, BenchRow, BenchSection, BenchTarget } from './report';
import { runStandalone } from './run';
import { demoAccessToken, freePort, freshDatabase, median, root, type RunningService, startService } from './support';

const READY_TARGET_MS = 2000;
const IDLE_RSS_TARGET_MB = 150;

/** The highest RSS a process reaches while `work` runs, sampled every 100 ms. */
async function peakRss<T>(service: RunningService, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peakMb = service.rssMb();
  const timer = setInterval(() => (peakMb = Math.max(peakMb, service.rssMb())), 100);
  try {
    const result = await work();
    return { result, peakMb: Math.max(peakMb, service.rssMb()) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Footprint of each service exactly as `npm start` runs it (same settings, demo data, SMTP sink):
 * start to ready on a warm (already migrated) database, the median of `rounds` starts; RSS once
 * idle; and the peak RSS under a load of its own real work: Core answers bearer-authenticated
 * `/actor/context`, the auth plugin signs in with a password (Argon2id), the SMTP provider relays
 * messages to the sink.
 */
export const runFootprintSection: BenchSection = async (ctx: BenchContext) => {
  const db = await freshDatabase();
  const ports = { core: await freePort(), authPlugin: await freePort(), emailSmtp: await freePort(), smtpSink: await freePort() };
  const sink = await startSmtpSink(ports.smtpSink, () => undefined);
  const running: RunningService[] = [];
  try {
    for (const set of allMigrationSets) await runMigrations(db.url, set);
    await prepareDevDatabase(db.url, ports);
    const secret = () => randomBytes(32).toString('hex');
    const dev = { root, databaseUrl: db.url, ports, sessionSecret: secret(), apiKeySecret: secret(), emailCapabilityToken: secret() };
    // The provider first: the plugin delivers through it.
    const services = devServices(dev).sort((a, b) => Number(b.name === 'plugin-email-smtp') - Number(a.name === 'plugin-email-smtp'));

    const readyMs = new Map<string, number[]>();
    for (let round = 0; round < ctx.rounds; round++) {
      for (const service of services) {
        const port = Number(new URL(service.url).port);
        const started = await startService(service.entry, service.env, service.healthPath, port);
        readyMs.set(service.name, [...(readyMs.get(service.name) ?? []), started.startMs]);
        if (round < ctx.rounds - 1) await started.stop();
        else running.push(started);
      }
    }
    await new Promise((settle) => setTimeout(settle, 2000));
    const idleMb = new Map(running.map((service, i) => [services[i].name, service.rssMb()]));

    const accessToken = await demoAccessToken(running[services.findIndex((s) => s.name === 'core')].url);
    const loads: Record<string, { plan: Omit<LoadPlan, 'url' | 'durationSeconds'>; path: string; what: string }> = {
      core: { path: '/api/v1/actor/context', what: 'GET /actor/context (bearer)', plan: { connections: 16, headers: { authorization: `Bearer ${accessToken}` } } },
      'plugin-auth-complete': {
        path: '/api/v1/auth/login',
        what: 'password sign-in',
        plan: { method: 'POST', connections: 4, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'alice@example.com', password: DEMO_PASSWORD }) },
      },
      'plugin-email-smtp': {
        path: EMAIL_SEND_PATH,
        what: 'email relay to the sink',
        plan: {
          method: 'POST',
          connections: 8,
          uniqueIds: true,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${dev.emailCapabilityToken}` },
          body: JSON.stringify({
            message_id: 'bench_[<id>]',
            idempotency_key: 'bench_[<id>]',
            purpose: 'auth.email_code',
            from: { address: 'no-reply@plystra.localhost' },
            to: [{ address: 'user@example.org' }],
            subject: 'Your sign-in code: 123456',
            text: 'Your sign-in code is 123456.',
          }),
        },
      },
    };

    const rows: BenchRow[] = [];
    const targets: BenchTarget[] = [];
    for (const [i, service] of services.entries()) {
      const load = loads[service.name];
      const { result, peakMb } = await peakRss(running[i], () => loadFromChild({ ...load.plan, url: running[i].url + load.path, durationSeconds: ctx.seconds }, ctx.work));
      if (result.non2xx > 0 || result.errors > 0) ctx.log(`footprint: ${service.name} load had ${result.non2xx} non-2xx and ${result.errors} errors of ${result.total}`);
      const ready = median(readyMs.get(service.name)!);
      const idle = idleMb.get(service.name)!;
      const system = `Plystra ${service.name}`;
      rows.push(
        { workload: 'footprint', system, metric: `start to ready (warm database, median of ${ctx.rounds})`, value: ready, unit: 'ms' },
        { workload: 'footprint', system, metric: 'RSS idle', value: idle, unit: 'MB' },
        { workload: 'footprint', system, metric: `RSS peak under load (${load.what}, ${result.requestsPerSecond.toFixed(0)} req/s)`, value: peakMb, unit: 'MB' },
      );
      targets.push(
        { name: `${service.name} ready from a warm database`, target: `< ${READY_TARGET_MS} ms`, measured: `${ready.toFixed(0)} ms`, pass: ready < READY_TARGET_MS },
        { name: `${service.name} RSS idle`, target: `< ${IDLE_RSS_TARGET_MB} MB`, measured: `${idle.toFixed(0)} MB`, pass: idle < IDLE_RSS_TARGET_MB },
      );
    }
    return {
      title: 'Footprint',
      rows,
      targets,
      notes: [
        'Each service is started as `npm start` starts it (same entry, settings and demo data), on a database migrated beforehand; "ready" is the time from spawning the process to the first 200 from its readiness route (`/api/v1/ready` for Core, `/health` for the others).',
        `Loads, ${ctx.seconds} s each from a separate autocannon process: ${Object.values(loads).map((l) => l.what).join('; ')}.`,
      ],
    };
  } finally {
    await Promise.all(running.map((service) => service.stop()));
    await sink.close();
    await db.drop();
  }
};

if (require.main === module) runStandalone(runFootprintSection);
