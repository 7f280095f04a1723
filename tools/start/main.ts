import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveDatabase, runMigrations } from '@plystra/db';
import { allMigrationSets } from '@plystra/migrations';
import { DEMO_PASSWORD } from '../../apps/core/src/demo/demo-seed';
import { type DevService, devServices, prepareDevDatabase } from './services';
import { startSmtpSink } from './smtp-sink';

/**
 * `npm start`: one command for a working local Plystra. Starts (or reuses) the embedded
 * PostgreSQL, applies every migration, seeds the demo, runs each service as a child process,
 * waits until each answers, and prints where everything is. Ctrl-C stops it all.
 */
const root = resolve(__dirname, '../../..');
const started = Date.now();

/** A port from the environment (to run beside other things), or the default. */
function port(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`${name} must be a TCP port`);
  return value;
}

function devSecrets(): { sessionSecret: string; apiKeySecret: string; emailCapabilityToken: string } {
  const file = join(root, '.data', 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = {
    sessionSecret: randomBytes(32).toString('hex'),
    apiKeySecret: randomBytes(32).toString('hex'),
    emailCapabilityToken: randomBytes(32).toString('hex'),
  };
  mkdirSync(join(root, '.data'), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function waitUntilAnswering(service: DevService, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${service.name} exited with code ${child.exitCode}`);
    try {
      const res = await fetch(service.url + service.healthPath, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${service.name} did not answer ${service.healthPath} within ${timeoutMs} ms`);
}

async function main(): Promise<void> {
  const database = await resolveDatabase({ url: process.env.DATABASE_URL ?? process.env.PLYSTRA_DATABASE_URL, production: false, workspaceRoot: root });
  for (const set of allMigrationSets) await runMigrations(database.url, set);
  const secrets = devSecrets();
  const ports = { core: port('CORE_PORT', 8080), authPlugin: port('AUTH_PLUGIN_PORT', 8790), emailSmtp: port('EMAIL_SMTP_PORT', 8791), smtpSink: port('SMTP_SINK_PORT', 2525) };
  const services = devServices({ root, databaseUrl: database.url, ports, ...secrets });
  await prepareDevDatabase(database.url, ports);
  const sink = services.some((s) => s.name === 'plugin-email-smtp') ? await startSmtpSink(ports.smtpSink, (text) => console.log(text)) : null;
  const children: Array<{ service: DevService; child: ChildProcess }> = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      children.map(({ child }) =>
        child.exitCode !== null ? undefined : new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
      ),
    );
    await sink?.close();
    await database.embedded?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  for (const service of services) {
    const child = spawn(process.execPath, [join(root, service.entry)], { env: { ...process.env, ...service.env }, stdio: 'inherit' });
    child.once('exit', (code) => {
      if (!stopping) {
        console.error(`${service.name} stopped unexpectedly (exit ${code}); stopping everything`);
        void stop(1);
      }
    });
    children.push({ service, child });
  }
  await Promise.all(children.map(({ service, child }) => waitUntilAnswering(service, child)));

  const core = services.find((s) => s.name === 'core')!;
  const lines = [
    '',
    `Plystra is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s). Press Ctrl-C to stop.`,
    '',
    ...services.map((s) => `  ${s.name.padEnd(22)} ${s.url}${s.name === 'core' ? '/api/v1' : ''}`),
    ...(sink ? [`  ${'smtp sink'.padEnd(22)} smtp://127.0.0.1:${ports.smtpSink} (received mail is printed here)`] : []),
    `  ${'database'.padEnd(22)} ${database.embedded ? `embedded PostgreSQL (data in .data/postgres)` : 'DATABASE_URL'}`,
    '',
    `Demo login: alice@example.com / ${DEMO_PASSWORD}  (also bob@example.com)`,
    '',
    'Try it:',
    `  TOKEN=$(curl -s ${core.url}/api/v1/auth/login -H 'Content-Type: application/json' \\`,
    `    -d '{"email":"alice@example.com","password":"${DEMO_PASSWORD}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).data.access_token')`,
    `  curl -s ${core.url}/api/v1/authz/check -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `    -d '{"resource_type":"invoice","resource_id":"invoice_001","action":"approve"}'`,
    '',
  ];
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(`npm start failed: ${(error as Error).message}`);
  process.exit(1);
});
