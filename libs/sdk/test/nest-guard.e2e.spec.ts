import type { AddressInfo } from 'node:net';
import { Controller, type INestApplication, Module, Param, Post, Req, UseGuards } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PlystraClient } from '../src';
import { PLYSTRA_DECISION, PlystraGuard, PlystraGuardModule, RequirePlystraPermission } from '../src/nest';
import { ALICE, type ListeningCore, aliceActor, bobActor, closedPortUrl, grantSuperAdmin, listenCore } from './sdk-test-kit';

/**
 * A tiny Nest app protected by PlystraGuard, with the real Core behind it: the guard asks Core
 * once before the handler, and the handler's side effect happens only on allow.
 */
describe('PlystraGuard in a Nest app (real Core behind it)', () => {
  let env: ListeningCore;
  let apiKey: string;
  const apps: INestApplication[] = [];

  type Req = { headers: Record<string, string | undefined>; params: Record<string, string> };
  const actors: Record<string, typeof aliceActor> = { alice: aliceActor, bob: bobActor };

  /** Builds and starts the app; `approved` records every handler run (the "business mutation"). */
  async function startApp(client: PlystraClient) {
    const approved: Array<{ id: string; decision: any }> = [];

    @Controller('invoices')
    class InvoicesController {
      @Post(':id/approve')
      @UseGuards(PlystraGuard)
      @RequirePlystraPermission<Req>('invoice', 'approve', (req) => req.params.id)
      approve(@Param('id') id: string, @Req() req: Record<string, unknown>) {
        approved.push({ id, decision: req[PLYSTRA_DECISION] });
        return { approved: id };
      }

      @Post(':id/comment')
      @UseGuards(PlystraGuard)
      comment(@Param('id') id: string) {
        return { commented: id };
      }
    }

    /** The rule on the controller applies to each of its routes. */
    @Controller('batch')
    @UseGuards(PlystraGuard)
    @RequirePlystraPermission<Req>('invoice', 'approve', (req) => req.params.id)
    class BatchController {
      @Post(':id/approve')
      approve(@Param('id') id: string) {
        approved.push({ id: `batch:${id}`, decision: null });
        return { approved: id };
      }
    }

    @Module({
      imports: [PlystraGuardModule.forRoot({ client, actor: (req: Req) => actors[req.headers['x-demo-user'] ?? ''] ?? null })],
      controllers: [InvoicesController, BatchController],
    })
    class AppModule {}

    const app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    apps.push(app);
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const post = async (path: string, user?: string, requestId?: string) => {
      const headers: Record<string, string> = {};
      if (user) headers['x-demo-user'] = user;
      if (requestId) headers['x-request-id'] = requestId;
      const res = await fetch(`${url}${path}`, { method: 'POST', headers });
      return { status: res.status, headers: res.headers, body: (await res.json()) as any };
    };
    return { approved, post };
  }

  beforeAll(async () => {
    env = await listenCore();
    await grantSuperAdmin(env.core, 'user_alice');
    const admin = new PlystraClient({ baseUrl: env.url });
    await admin.auth.login(ALICE);
    apiKey = (await admin.apiKeys.create({ name: 'nest guard', level: 'space', space_id: 'space_acme', permission_keys: ['authz:check'] })).api_key;
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await env.core.close();
  });

  const auditRow = async (id: string) => (await env.core.db.dataSource.query(`SELECT * FROM audit_logs WHERE id = $1`, [id]))[0];

  it('allows: the handler runs after one check, with the trace headers on the answer', async () => {
    const app = await startApp(new PlystraClient({ baseUrl: env.url, apiKey }));
    const before = (await env.core.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'invoice.approve'`))[0].n;
    const res = await app.post('/invoices/invoice_001/approve', 'alice', 'guard-allow-1');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ approved: 'invoice_001' });
    expect(app.approved.map((a) => a.id)).toEqual(['invoice_001']);
    const traceId = res.headers.get('x-plystra-trace-id');
    const auditLogId = res.headers.get('x-plystra-audit-log-id');
    expect(traceId).toMatch(/^trc_[0-9a-f]{16}$/);
    // The handler sees the decision the guard obtained.
    expect(app.approved[0].decision).toMatchObject({ allow: true, trace_id: traceId, audit_log_id: auditLogId });
    expect(await auditRow(auditLogId!)).toMatchObject({ decision: 'allow', resource_id: 'invoice_001', actor_user_id: 'user_alice', request_id: 'guard-allow-1' });
    const after = (await env.core.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'invoice.approve'`))[0].n;
    expect(after - before).toBe(1);
  });

  it('denies: 403 with deny code, trace id and audit log id in the body and headers; the handler never runs', async () => {
    const app = await startApp(new PlystraClient({ baseUrl: env.url, apiKey }));
    const res = await app.post('/invoices/invoice_002/approve', 'bob', 'guard-deny-1');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: { code: 'AUTHORIZATION_DENIED', message: 'This action is not allowed.', deny_code: 'SCOPE_OUT_OF_BOUNDS', trace_id: expect.stringMatching(/^trc_/), audit_log_id: expect.stringMatching(/^audit_/) },
    });
    expect(res.headers.get('x-plystra-trace-id')).toBe(res.body.error.trace_id);
    expect(res.headers.get('x-plystra-audit-log-id')).toBe(res.body.error.audit_log_id);
    expect(app.approved).toEqual([]);
    // A rule declared on the controller guards its routes the same way.
    expect((await app.post('/batch/invoice_002/approve', 'alice')).status).toBe(403);
    expect((await app.post('/batch/invoice_001/approve', 'alice')).status).toBe(201);
    expect(app.approved.map((a) => a.id)).toEqual(['batch:invoice_001']);
    expect(await auditRow(res.body.error.audit_log_id)).toMatchObject({ decision: 'deny', deny_code: 'SCOPE_OUT_OF_BOUNDS', actor_user_id: 'user_bob', request_id: 'guard-deny-1' });
  });

  it('no actor → 401 without asking Core; an unknown resource → 404; unguarded routes pass', async () => {
    const app = await startApp(new PlystraClient({ baseUrl: env.url, apiKey }));
    const count = async () => (await env.core.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs`))[0].n;
    const before = await count();
    const anonymous = await app.post('/invoices/invoice_001/approve');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    expect(await count()).toBe(before);
    const missing = await app.post('/invoices/invoice_404/approve', 'alice');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('RESOURCE_NOT_FOUND');
    expect((await app.post('/invoices/invoice_002/comment')).body).toEqual({ commented: 'invoice_002' });
    expect(app.approved).toEqual([]);
  });

  it('fails closed: Core unreachable → 503 and the handler never runs', async () => {
    const app = await startApp(new PlystraClient({ baseUrl: await closedPortUrl(), apiKey, timeoutMs: 2_000 }));
    const res = await app.post('/invoices/invoice_001/approve', 'alice');
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'AUTHORIZATION_UNAVAILABLE', upstream: { code: 'NETWORK_ERROR' } });
    expect(app.approved).toEqual([]);
  });

  it('a key Core refuses → 503 with the upstream code, handler not run', async () => {
    const app = await startApp(new PlystraClient({ baseUrl: env.url, apiKey: 'ply_ak_ak_nope.' + '0'.repeat(64) }));
    const res = await app.post('/invoices/invoice_001/approve', 'alice');
    expect(res.status).toBe(503);
    expect(res.body.error.upstream.code).toBe('AUTHENTICATION_REQUIRED');
    expect(app.approved).toEqual([]);
  });

});
