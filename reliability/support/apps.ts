import { createLogger } from '@plystra/http';
import { AccessRegistry } from '../../apps/core/src/access/access-registry';
import { loadCoreConfig } from '../../apps/core/src/config/core-config';
import { createCoreApp } from '../../apps/core/src/core.app';
import { loadPluginConfig } from '../../apps/plugin-auth-complete/src/config/plugin-config';
import { createPluginApp } from '../../apps/plugin-auth-complete/src/plugin.app';
import { loadEmailSmtpConfig } from '../../apps/plugin-email-smtp/src/config/email-smtp.config';
import { createEmailSmtpApp } from '../../apps/plugin-email-smtp/src/email-smtp.app';
import type { TestDatabase } from './db';
import { coreEnv, pluginEnv, smtpEnv } from './env';
import { type RouteSpec, servedRoutes } from './routes';

const silent = (service: string) => createLogger({ service, level: 'silent' });

export interface CoreRoute extends RouteSpec {
  /** What the AccessRegistry says the route needs (`public` or a permission key). */
  access: string;
}

/**
 * Core's route table: the AccessRegistry's list (every route and the permission it needs), joined
 * to the DTOs the handlers validate and checked against the routes Express really mounts. The app
 * is built in-process only to read this; the attacks go to a spawned process.
 */
export async function coreRouteTable(db: TestDatabase): Promise<CoreRoute[]> {
  const config = loadCoreConfig(coreEnv(db.url));
  const app = await createCoreApp({ ...config, databaseUrl: db.url }, silent('core'));
  try {
    const mountedPath = (path: string) => (path === '/metrics' ? path : `/api/v1${path}`);
    const served = servedRoutes(app, mountedPath);
    const registry = app.get(AccessRegistry).routes();
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const access = new Map(registry.map((r) => [key({ method: r.method, path: mountedPath(r.path) }), r.access]));
    const controllers = served.filter((r) => r.handler !== 'express');
    const missing = controllers.filter((r) => !access.has(key(r)));
    if (missing.length || registry.length !== controllers.length) {
      throw new Error(`the AccessRegistry (${registry.length} routes) and the controllers' routes (${controllers.length}) differ: ${missing.map(key).join(', ')}`);
    }
    // Routes mounted outside the controllers (generated docs) are outside the access model: public.
    return served.map((r) => ({ ...r, access: access.get(key(r)) ?? 'public (mounted outside the controllers)' }));
  } finally {
    await app.close();
  }
}

/** The auth plugin's routes, from its Nest app (controllers' metadata joined to the Express router). */
export async function pluginRouteTable(db: TestDatabase): Promise<RouteSpec[]> {
  const config = { ...loadPluginConfig(pluginEnv(db.url)), maintenanceIntervalMs: 0, settingsListen: false };
  const app = await createPluginApp({ ...config, databaseUrl: db.url }, silent('plugin-auth-complete'));
  try {
    return servedRoutes(app, (path) => path);
  } finally {
    await app.close();
  }
}

/** The SMTP provider's routes, the same way. */
export async function smtpRouteTable(db: TestDatabase): Promise<RouteSpec[]> {
  const config = loadEmailSmtpConfig(smtpEnv(db.url));
  const app = await createEmailSmtpApp(config, silent('plugin-email-smtp'));
  try {
    return servedRoutes(app, (path) => path);
  } finally {
    await app.close();
  }
}
