import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createDataSource } from '@plystra/db';
import { seedDemo } from '../../apps/core/src/demo/demo-seed';

export interface DevService {
  name: string;
  /** Compiled entry, relative to the workspace root. */
  entry: string;
  url: string;
  healthPath: string;
  env: Record<string, string>;
}

export interface DevEnvironment {
  root: string;
  databaseUrl: string;
  sessionSecret: string;
  apiKeySecret: string;
  emailCapabilityToken: string;
  ports: { core: number; authPlugin: number; emailSmtp: number; smtpSink: number };
}

/** Every service `npm start` runs, with its development settings; those not built yet are skipped. */
export function devServices(dev: DevEnvironment): DevService[] {
  const shared = { DATABASE_URL: dev.databaseUrl, SERVER_MODE: 'development', PLYSTRA_SESSION_SECRET: dev.sessionSecret, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  const all: DevService[] = [
    {
      name: 'core',
      entry: 'dist/apps/core/src/main.js',
      url: `http://127.0.0.1:${dev.ports.core}`,
      healthPath: '/api/v1/ready',
      env: { ...shared, PLYSTRA_API_KEY_SECRET: dev.apiKeySecret, SERVER_HOST: '127.0.0.1', SERVER_PORT: String(dev.ports.core), SERVER_PUBLIC_URL: `http://localhost:${dev.ports.core}` },
    },
    {
      name: 'plugin-auth-complete',
      entry: 'dist/apps/plugin-auth-complete/src/main.js',
      url: `http://127.0.0.1:${dev.ports.authPlugin}`,
      healthPath: '/health',
      env: { ...shared, AUTH_PLUGIN_LISTEN_ADDR: `127.0.0.1:${dev.ports.authPlugin}`, PLYSTRA_EMAIL_CAPABILITY_TOKEN: dev.emailCapabilityToken },
    },
    {
      name: 'plugin-email-smtp',
      entry: 'dist/apps/plugin-email-smtp/src/main.js',
      url: `http://127.0.0.1:${dev.ports.emailSmtp}`,
      healthPath: '/health',
      env: { ...shared, EMAIL_SMTP_LISTEN_ADDR: `127.0.0.1:${dev.ports.emailSmtp}`, EMAIL_CAPABILITY_TOKEN: dev.emailCapabilityToken },
    },
  ];
  return all.filter((service) => existsSync(join(dev.root, service.entry)));
}

/**
 * The demo data and the local wiring on a migrated database: the demo seed, `authz:check` for
 * Alice and Bob in Acme (so the printed curl works with their own sessions) and `api_keys:create`
 * for Alice there (so `plystra api-keys:create --created-by-user-id user_alice` works), the SMTP provider
 * pointed at the local sink, and the auth plugin delivering through the provider with its magic
 * links opening its own confirm page.
 */
export async function prepareDevDatabase(databaseUrl: string, ports: DevEnvironment['ports']): Promise<void> {
  const ds = createDataSource({ url: databaseUrl, poolSize: 1 });
  await ds.initialize();
  try {
    await seedDemo(ds);
    await ds.query(
      `INSERT INTO admin_grants (id, user_id, member_id, space_id, level, permission_key, metadata) VALUES
         ('ag_alice_acme_authz_check', 'user_alice', 'member_finance_reviewer', 'space_acme', 'space_admin', 'authz:check', '{"source":"npm start"}'),
         ('ag_bob_acme_authz_check', 'user_bob', 'member_finance_reviewer', 'space_acme', 'space_admin', 'authz:check', '{"source":"npm start"}'),
         ('ag_alice_acme_api_keys_create', 'user_alice', 'member_finance_reviewer', 'space_acme', 'space_admin', 'api_keys:create', '{"source":"npm start"}')
       ON CONFLICT DO NOTHING`,
    );
    await ds.query(
      `UPDATE plugin_email_smtp_settings s SET value = v.value, updated_at = now()
         FROM (VALUES ('host', '"127.0.0.1"'::jsonb), ('port', $1::jsonb), ('tls_mode', '"none"'::jsonb)) AS v(key, value)
        WHERE s.key = v.key`,
      [String(ports.smtpSink)],
    );
    await ds.query(
      `UPDATE plugin_auth_settings s SET value = v.value, updated_at = now(), updated_by = 'npm start'
         FROM (VALUES ('email_delivery_mode', '"capability"'::jsonb), ('email_capability_url', $1::jsonb),
                      ('email_from_address', '"no-reply@plystra.localhost"'::jsonb), ('server_public_url', $2::jsonb)) AS v(key, value)
        WHERE s.key = v.key`,
      [JSON.stringify(`http://127.0.0.1:${ports.emailSmtp}`), JSON.stringify(`http://localhost:${ports.authPlugin}`)],
    );
  } finally {
    await ds.destroy();
  }
}
