import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDataSource, resolveDatabase, runMigrations } from '@plystra/db';
import { allMigrationSets } from '@plystra/migrations';
import { seedDemo, DEMO_PASSWORD } from '../../apps/core/src/demo/demo-seed';
import { type DevService, devServices } from './services';
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
  const ds = createDataSource({ url: database.url, poolSize: 1 });
  await ds.initialize();
  await seedDemo(ds);
  // The demo users may ask for checks in Acme with their own sessions (the curl printed below).
  await ds.query(
    `INSERT INTO admin_grants (id, user_id, member_id, space_id, level, permission_key, metadata) VALUES
       ('ag_alice_acme_authz_check', 'user_alice', 'member_finance_reviewer', 'space_acme', 'space_admin', 'authz:check', '{"source":"npm start"}'),
       ('ag_bob_acme_authz_check', 'user_bob', 'member_finance_reviewer', 'space_acme', 'space_admin', 'authz:check', '{"source":"npm start"}')
     ON CONFLICT DO NOTHING`,
  );
  // The SMTP provider keeps its transport settings in its table: point it at the local sink.
  await ds.query(
    `UPDATE plugin_email_smtp_settings s SET value = v.value, updated_at = now()
       FROM (VALUES ('host', '"127.0.0.1"'::jsonb), ('port', $1::jsonb), ('tls_mode', '"none"'::jsonb)) AS v(key, value)
      WHERE s.key = v.key`,
    [String(ports.smtpSink)],
  );
  // The auth plugin delivers through the SMTP provider, and its magic links open its own confirm page.
  await ds.query(
    `UPDATE plugin_auth_settings s SET value = v.value, updated_at = now(), updated_by = 'npm start'
       FROM (VALUES ('email_delivery_mode', '"capability"'::jsonb), ('email_capability_url', $1::jsonb),
                    ('email_from_address', '"no-reply@plystra.localhost"'::jsonb), ('server_public_url', $2::jsonb)) AS v(key, value)
      WHERE s.key = v.key`,
    [JSON.stringify(`http://127.0.0.1:${ports.emailSmtp}`), JSON.stringify(`http://localhost:${ports.authPlugin}`)],
  );
  await ds.destroy();
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
