/**
 * Writes each service's OpenAPI document to openapi/<service>.json, described from the module
 * graph alone (Nest preview mode): nothing listens, no provider runs, no database is needed.
 *
 *   node tools/build.mjs --quiet && node dist/tools/openapi.js          # write
 *   node tools/build.mjs --quiet && node dist/tools/openapi.js --check  # fail when stale
 */
import 'reflect-metadata';
import type { OpenAPIObject } from '@nestjs/swagger';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadCoreConfig } from '../apps/core/src/config/core-config';
import { buildCoreApiDocument } from '../apps/core/src/core.app';
import { loadPluginConfig } from '../apps/plugin-auth-complete/src/config/plugin-config';
import { buildPluginApiDocument } from '../apps/plugin-auth-complete/src/plugin.app';
import { loadEmailSmtpConfig } from '../apps/plugin-email-smtp/src/config/email-smtp.config';
import { buildEmailSmtpApiDocument } from '../apps/plugin-email-smtp/src/email-smtp.app';

/** Development configuration with placeholders: only the route graph matters, nothing connects. */
const ENV = { SERVER_MODE: 'development', DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi', LOG_LEVEL: 'error', EMAIL_CAPABILITY_TOKEN: 'openapi-placeholder-capability-token-0123456789' };

export const SERVICES: Record<string, () => Promise<OpenAPIObject>> = {
  core: () => buildCoreApiDocument(loadCoreConfig(ENV)),
  'plugin-auth-complete': () => buildPluginApiDocument(loadPluginConfig(ENV)),
  'plugin-email-smtp': () => buildEmailSmtpApiDocument(loadEmailSmtpConfig(ENV)),
};

/** Run from dist/tools/openapi.js: the repository's openapi/ directory. */
const OPENAPI_DIR = resolve(__dirname, '..', '..', 'openapi');

/** The document as committed: stable key order from the builder, two-space JSON, final newline. */
export function serialise(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const dir = process.env.OPENAPI_DIR ?? OPENAPI_DIR;
  mkdirSync(dir, { recursive: true });
  const stale: string[] = [];
  for (const [service, build] of Object.entries(SERVICES)) {
    const file = join(dir, `${service}.json`);
    const text = serialise(await build());
    if (check) {
      let current = '';
      try { current = readFileSync(file, 'utf8'); } catch { /* missing is stale */ }
      if (current !== text) stale.push(file);
    } else {
      writeFileSync(file, text);
      console.log(`openapi: wrote ${file}`);
    }
  }
  if (stale.length) {
    console.error(`openapi: out of date (run node dist/tools/openapi.js): ${stale.join(', ')}`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
