import { createLogger } from '@plystra/http';
import type { OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { startCore } from '../apps/core/test/core-test-app';
import { startPlugin } from '../apps/plugin-auth-complete/test/plugin-test-app';
import { loadEmailSmtpConfig } from '../apps/plugin-email-smtp/src/config/email-smtp.config';
import { createEmailSmtpApp } from '../apps/plugin-email-smtp/src/email-smtp.app';
import { TEST_CAPABILITY_TOKEN, startEmailSmtp } from '../apps/plugin-email-smtp/test/email-smtp-test-app';
import { SERVICES, serialise } from './openapi';

const OPENAPI_DIR = join(__dirname, '..', 'openapi');
const committed = (service: string) => readFileSync(join(OPENAPI_DIR, `${service}.json`), 'utf8');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Unauthenticated probes that take no input: nothing a client sends can make them answer 4xx. */
const PROBES = new Set(['core GET /api/v1/health', 'core GET /api/v1/version', 'core GET /api/v1/ready', 'plugin-auth-complete GET /health', 'plugin-email-smtp GET /health']);

function operations(service: string, document: OpenAPIObject) {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ id: `${service} ${m.toUpperCase()} ${path}`, op: item[m]! })));
}

describe('OpenAPI documents (openapi/*.json)', () => {
  const documents: Record<string, OpenAPIObject> = {};
  beforeAll(async () => {
    for (const [service, build] of Object.entries(SERVICES)) documents[service] = await build();
  });

  it.each(Object.keys(SERVICES))('%s: the committed document is current (regenerate: node tools/build.mjs && node dist/tools/openapi.js)', (service) => {
    expect(committed(service)).toBe(serialise(documents[service]));
  });

  it('every operation has a summary, tags, a success answer and documented error codes on the error envelope', () => {
    const problems: string[] = [];
    for (const [service, document] of Object.entries(documents)) {
      for (const { id, op } of operations(service, document)) {
        const statuses = Object.keys(op.responses ?? {}).map(Number);
        if (!op.summary?.trim()) problems.push(`${id}: no summary`);
        if (!op.tags?.length) problems.push(`${id}: no tags`);
        if (!statuses.some((s) => s >= 200 && s < 300)) problems.push(`${id}: no success status`);
        if (!PROBES.has(id) && !statuses.some((s) => s >= 400 && s < 500)) problems.push(`${id}: no 4xx answer documented`);
        for (const status of statuses.filter((s) => s >= 400)) {
          const response = op.responses[status] as { description: string; content?: Record<string, { schema?: { $ref?: string } }> };
          if (!/^[A-Z_]+(, [A-Z_]+)*$/.test(response.description)) problems.push(`${id}: ${status} lists no error code`);
          if (response.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ErrorEnvelope') problems.push(`${id}: ${status} is not the error envelope`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(operations('core', documents.core).length).toBeGreaterThan(90);
  });

  it('request bodies and query objects are described from their validation rules', () => {
    const schemas = documents.core.components?.schemas as Record<string, { required?: string[]; properties?: Record<string, { format?: string; enum?: unknown[] }> }>;
    expect(schemas.UserCreateDto.required).toEqual(['email']);
    expect(schemas.UserCreateDto.properties?.email).toMatchObject({ type: 'string', format: 'email', maxLength: 320 });
    expect(schemas.UserCreateDto.properties?.status?.enum).toEqual(['active', 'disabled']);
    const list = documents.core.paths['/api/v1/users'].get!;
    expect(list.parameters?.map((p) => ('name' in p ? p.name : p.$ref))).toEqual(expect.arrayContaining(['limit', 'cursor', 'status', 'email']));
  });

  it('Core: a route that needs a permission declares the bearer and API-key schemes and its 401/403; public routes declare none of the guard\'s', () => {
    const problems: string[] = [];
    for (const { id, op } of operations('core', documents.core)) {
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s)).sort();
      const guarded = (op.responses[403] as { description?: string } | undefined)?.description?.includes('ADMIN_PERMISSION_REQUIRED');
      if (guarded && schemes.join() !== 'api-key,bearer') problems.push(`${id}: guarded but security is [${schemes}]`);
    }
    expect(problems).toEqual([]);
    expect(documents.core.components?.securitySchemes).toMatchObject({ bearer: { scheme: 'bearer' }, 'api-key': { in: 'header', name: 'X-Plystra-API-Key' } });
  });
});

describe('/docs', () => {
  it('Core in development serves the UI and the same document as the committed one', async () => {
    const core = await startCore({ seed: false });
    try {
      const ui = await core.http.get('/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger-ui');
      const init = /src="\.?\/?(?:docs\/)?([^"]*swagger-ui-init\.js)"/.exec(ui.text)?.[1];
      expect((await core.http.get(`/docs/${init}`)).status).toBe(200);
      expect((await core.http.get('/docs/swagger-ui-bundle.js')).status).toBe(200);
      const json = await core.http.get('/docs/openapi.json');
      expect(json.status).toBe(200);
      expect(serialise(json.body as OpenAPIObject)).toBe(committed('core'));
    } finally {
      await core.close();
    }
  });

  it('the auth plugin serves it in development and not in production', async () => {
    const dev = await startPlugin();
    try {
      const json = await dev.http.get('/docs/openapi.json');
      expect(json.status).toBe(200);
      expect(serialise(json.body as OpenAPIObject)).toBe(committed('plugin-auth-complete'));
      const prod = await startPlugin({ db: dev.db, config: { production: true } });
      try {
        expect((await prod.http.get('/docs')).status).toBe(404);
        expect((await prod.http.get('/docs/openapi.json')).status).toBe(404);
      } finally {
        await prod.close();
      }
    } finally {
      await dev.close();
    }
  });

  it('the SMTP provider serves it in development and not in production', async () => {
    const dev = await startEmailSmtp();
    try {
      const json = await dev.http.get('/docs/openapi.json');
      expect(json.status).toBe(200);
      expect(serialise(json.body as OpenAPIObject)).toBe(committed('plugin-email-smtp'));
      const config = loadEmailSmtpConfig({ DATABASE_URL: dev.db.url, EMAIL_CAPABILITY_TOKEN: TEST_CAPABILITY_TOKEN });
      const prod = await createEmailSmtpApp({ ...config, production: true }, createLogger({ service: 'plugin-email-smtp', level: 'silent' }));
      try {
        expect((await request(prod.getHttpServer()).get('/docs')).status).toBe(404);
        expect((await request(prod.getHttpServer()).get('/docs/openapi.json')).status).toBe(404);
      } finally {
        await prod.close();
      }
    } finally {
      await dev.close();
    }
  });
});
