import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, insertUser, insertUserMember, type TestDatabase } from '@plystra/db/testing';
import { type ContractTestServer, startContractTestServer } from '@plystra/email-contract/testing';
import { startCore, type CoreTestApp } from '../../../apps/core/test/core-test-app';
import { runCli } from '../../../apps/core/src/cli/cli';
import { TEST_CAPABILITY_TOKEN, startPlugin, type PluginTestApp } from '../../../apps/plugin-auth-complete/test/plugin-test-app';

/**
 * The example as its README runs it: real Core and the real auth plugin on one PostgreSQL, an
 * email provider that follows the email contract (it captures the magic links), and the example
 * started with `node examples/protect-invoice/run.mjs` in its own process, driven over HTTP.
 */
describe('examples/protect-invoice against live Plystra services', () => {
  const root = join(__dirname, '..', '..', '..');
  let db: TestDatabase;
  let provider: ContractTestServer;
  let core: CoreTestApp;
  let plugin: PluginTestApp;
  let example: ChildProcess;
  const exampleOutput: string[] = [];
  let coreUrl: string;
  let appUrl: string;

  const freePort = () =>
    new Promise<number>((resolve, reject) => {
      const server = createServer().once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });

  const json = async (res: Response) => ({ status: res.status, headers: res.headers, body: (await res.json()) as any });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(json);
  const cli = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await runCli(args, { env: { DATABASE_URL: db.url }, out: (l) => lines.push(l), err: (l) => lines.push(l) });
    if (code !== 0) throw new Error(`plystra ${args.join(' ')} failed (${code}): ${lines.join('\n')}`);
  };

  /** The newest sign-in link the provider received for `email`. */
  async function linkMailedTo(email: string, after: number): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const mail = provider.deliveries.slice(after).find((d) => d.to.some((to) => to.address === email));
      const link = mail?.text && /^(https?:\/\/\S+)$/m.exec(mail.text)?.[1];
      if (link) return link;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no sign-in link reached the provider for ${email}`);
  }

  /** Sign-in by magic link through the example: request → link from the provider → confirm page → consume. */
  async function signIn(email: string): Promise<{ access_token: string; user: { id: string } }> {
    const before = provider.deliveries.length;
    const requested = await post(`${appUrl}/auth/magic-link`, { email });
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ accepted: true, delivery_method: 'magic_link', email_delivery_mode: 'capability' });
    const link = await linkMailedTo(email, before);
    expect(link.startsWith(`${appUrl}/auth/consume?token=`)).toBe(true);
    const token = new URL(link).searchParams.get('token')!;

    // Opening the link only shows a button; the token is still unused.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain(`name="token" value="${token}"`);

    // The button posts the form.
    const consumed = await fetch(`${appUrl}/auth/consume`, { method: 'POST', body: new URLSearchParams({ token }) }).then(json);
    expect(consumed.status).toBe(200);
    expect(consumed.body).toMatchObject({ access_token: expect.stringMatching(/^ply_at_/), refresh_token: expect.any(String), user: { email } });
    // Single use: the same link again is refused by the plugin.
    const again = await post(`${appUrl}/auth/consume`, { token });
    expect(again.status).toBe(401);
    return consumed.body;
  }

  const approve = (invoiceId: string, accessToken?: string, requestId?: string) =>
    fetch(`${appUrl}/invoices/${invoiceId}/approve`, {
      method: 'POST',
      headers: { ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), ...(requestId ? { 'x-request-id': requestId } : {}) },
    }).then(json);

  const auditRow = async (id: string) => (await db.dataSource.query(`SELECT * FROM audit_logs WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    provider = await startContractTestServer({ token: TEST_CAPABILITY_TOKEN });
    core = await startCore({ db, seed: true });
    await core.app.listen(0, '127.0.0.1');
    coreUrl = `http://127.0.0.1:${(core.app.getHttpServer().address() as AddressInfo).port}`;
    plugin = await startPlugin({
      db,
      settings: { email_delivery_mode: 'capability', email_capability_url: provider.url, email_from_address: 'auth@example.com' },
    });
    const authUrl = await plugin.listen();
    appUrl = `http://127.0.0.1:${await freePort()}`;

    // README step 2, command by command (the CLI in-process, on the services' database).
    await cli('bootstrap-super-admin', '--user-id', 'user_alice', '--if-exists', 'ok');
    await cli('settings:set', 'public_app_url', JSON.stringify(appUrl));
    await plugin.settings.reload(); // every replica re-reads within 5 s; this one now
    const login = await post(`${coreUrl}/api/v1/auth/login`, { email: 'alice@example.com', password: 'plystra-demo' });
    const key = await post(
      `${coreUrl}/api/v1/api-keys`,
      { name: 'protect-invoice', level: 'space', space_id: 'space_acme', permission_keys: ['authz:check'] },
      { authorization: `Bearer ${login.body.data.access_token}` },
    );
    expect(key.status).toBe(201);

    // README step 3.
    example = spawn(process.execPath, ['examples/protect-invoice/run.mjs'], {
      cwd: root,
      env: { ...process.env, PLYSTRA_URL: coreUrl, PLYSTRA_AUTH_URL: authUrl, PLYSTRA_API_KEY: key.body.data.api_key, PORT: new URL(appUrl).port },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        exampleOutput.push(String(chunk));
        if (exampleOutput.join('').includes(`protect-invoice listening on ${appUrl}`)) resolve();
      };
      example.stdout!.on('data', onData);
      example.stderr!.on('data', onData);
      example.once('exit', (code) => reject(new Error(`the example exited (${code}):\n${exampleOutput.join('')}`)));
    });
  }, 180_000);

  afterAll(async () => {
    if (example && example.exitCode === null) {
      await new Promise((resolve) => {
        example.once('exit', resolve);
        example.kill('SIGTERM');
      });
    }
    await plugin?.app.close();
    await core?.app.close();
    await provider?.close();
    await db?.drop();
  });

  it('a user who holds invoice:approve signs in by magic link and approves; Core wrote the audit row', async () => {
    const alice = await signIn('alice@example.com');
    expect(alice.user.id).toBe('user_alice');

    const res = await approve('invoice_001', alice.access_token, 'example-allow-1');
    expect(res.status).toBe(201);
    expect(res.body.invoice).toMatchObject({ id: 'invoice_001', status: 'approved', approved_at: expect.any(String) });
    const traceId = res.headers.get('x-plystra-trace-id');
    const auditLogId = res.headers.get('x-plystra-audit-log-id');
    expect(traceId).toMatch(/^trc_[0-9a-f]{16}$/);
    expect(res.body.authorization).toEqual({ trace_id: traceId, audit_log_id: auditLogId });
    expect(await auditRow(auditLogId!)).toMatchObject({
      decision: 'allow', actor_user_id: 'user_alice', resource_type: 'invoice', resource_id: 'invoice_001', action: 'invoice.approve', request_id: 'example-allow-1',
    });
    expect((await auditRow(auditLogId!)).trace.trace_id).toBe(traceId);

    // Out of Alice's group scope: the README's second curl.
    const outOfScope = await approve('invoice_002', alice.access_token);
    expect(outOfScope.status).toBe(403);
    expect(outOfScope.body.error).toMatchObject({ code: 'AUTHORIZATION_DENIED', deny_code: 'SCOPE_OUT_OF_BOUNDS' });
  });

  it('a signed-in user without the permission gets 403 with the trace id; the handler does not run', async () => {
    // Carol is an Invoice Creator in space_acme: she may not approve.
    const carol = await insertUser(db.dataSource, { email: 'carol@example.com' });
    await insertUserMember(db.dataSource, { userId: carol.id, memberId: 'member_invoice_creator', spaceId: 'space_acme', isPrimary: true });
    const session = await signIn('carol@example.com');

    // The invoice Alice may approve: the answer turns on the permission, not on the scope.
    const res = await approve('invoice_001', session.access_token, 'example-deny-1');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: { code: 'AUTHORIZATION_DENIED', message: 'This action is not allowed.', deny_code: 'NO_MATCHING_PERMISSION', trace_id: expect.stringMatching(/^trc_/), audit_log_id: expect.stringMatching(/^audit_/) },
    });
    expect(res.headers.get('x-plystra-trace-id')).toBe(res.body.error.trace_id);
    expect(await auditRow(res.body.error.audit_log_id)).toMatchObject({
      decision: 'deny', deny_code: res.body.error.deny_code, actor_user_id: carol.id, actor_member_id: 'member_invoice_creator', resource_id: 'invoice_001', request_id: 'example-deny-1',
    });
  });

  it('no session, or a forged one, is 401 before any check; a bad link is 401 from the plugin', async () => {
    const [{ n: before }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'invoice.approve'`);
    const anonymous = await approve('invoice_001');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('AUTHENTICATION_REQUIRED');
    expect((await approve('invoice_001', 'ply_at_forged')).status).toBe(401);
    const [{ n: after }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'invoice.approve'`);
    expect(after).toBe(before);
    expect((await post(`${appUrl}/auth/consume`, { token: 'ply_ml_not-a-real-token' })).status).toBe(401);
  });
});
