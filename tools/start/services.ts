import { existsSync } from 'node:fs';
import { join } from 'node:path';

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
