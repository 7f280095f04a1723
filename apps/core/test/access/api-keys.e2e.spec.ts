import { createHmac } from 'node:crypto';
import { startCore, type CoreTestApp } from '../core-test-app';
import { type Admin, expectError, future, insertKey, past, signedInAdmin } from './access-fixtures';

const KEYS = '/api/v1/api-keys';
const KEY_SECRET = 'api-keys-spec-secret-0123456789abcdef0123456789';

describe('API keys (HTTP, real PostgreSQL)', () => {
  let core: CoreTestApp;
  let root: Admin;

  beforeAll(async () => {
    core = await startCore({ env: { PLYSTRA_API_KEY_SECRET: KEY_SECRET } });
    root = await signedInAdmin(core, [{ level: 'instance_super_admin', permission_key: '*' }], 'user_root');
  });
  afterAll(() => core.close());

  const create = (auth: [string, string], body: Record<string, unknown>) => core.http.post(KEYS).set(...auth).send(body);

  it('returns the plaintext once, stores only its HMAC, and the key then authenticates both ways', async () => {
    const res = await create(root.auth, { name: 'CI', level: 'instance', permission_keys: [' API_KEYS:Read', 'api_keys:read', 'audit:read'] }).expect(201);
    const key = res.body.data;
    expect(key.api_key).toMatch(new RegExp(`^ply_ak_${key.id}\\.[0-9a-f]{64}$`));
    expect(key.key).toBe(key.api_key);
    expect(key.id).toMatch(/^ak_[0-9a-f]{16}$/);
    expect(key).toMatchObject({
      name: 'CI', key_prefix: `ply_ak_${key.id}`, level: 'instance', space_id: null, group_id: null, permission_keys: ['api_keys:read', 'audit:read'],
      status: 'active', created_by_user_id: 'user_root', created_by_member_id: root.memberId, created_by_api_key_id: null, last_used_at: null,
    });
    expect(key).not.toHaveProperty('key_hash');

    const [row] = await core.db.dataSource.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [key.id]);
    expect(row.key_hash).toBe(createHmac('sha256', KEY_SECRET).update(key.api_key).digest('hex'));

    const read = await core.http.get(`${KEYS}/${key.id}`).set('X-Plystra-API-Key', key.api_key).expect(200);
    expect(read.body.data).not.toHaveProperty('api_key');
    expect(read.body.data).not.toHaveProperty('key');
    expect(read.body.data).not.toHaveProperty('key_hash');
    await core.http.get(KEYS).set('Authorization', `Bearer ${key.api_key}`).expect(200);
    const [used] = await core.db.dataSource.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [key.id]);
    expect(used.last_used_at).not.toBeNull();

    const everything = JSON.stringify(await core.db.dataSource.query(`SELECT * FROM audit_logs`)) + core.logs.join('\n');
    expect(everything).toContain(key.id);
    expect(everything).not.toContain(key.api_key.split('.')[1]);
    expect(everything).not.toContain(row.key_hash);
    const [audit] = await core.db.dataSource.query(`SELECT action, resource_type, actor_user_id, request_id FROM audit_logs WHERE resource_id = $1`, [key.id]);
    expect(audit).toEqual({ action: 'api_key.created', resource_type: 'api_key', actor_user_id: 'user_root', request_id: res.body.request_id });
  });

  it('resolves space and group levels from the real entities and validates every field', async () => {
    const group = await create(root.auth, { name: 'apac', level: 'group', group_id: 'group_finance_apac', permission_keys: ['authz:check'] }).expect(201);
    expect(group.body.data).toMatchObject({ level: 'group', space_id: 'space_acme', group_id: 'group_finance_apac' });
    const space = await create(root.auth, { name: 'acme', level: 'space', space_id: 'space_acme', permission_keys: ['authz:check'], expires_at: future().toISOString(), metadata: { team: 'billing' } }).expect(201);
    expect(space.body.data).toMatchObject({ level: 'space', space_id: 'space_acme', group_id: null, metadata: { team: 'billing' } });
    await core.db.dataSource.query(`INSERT INTO spaces (id, name) VALUES ('space_keys_other', 'Other')`);

    const base = { name: 'k', permission_keys: ['authz:check'] };
    const cases: Array<[object, number, string, string?]> = [
      [{ level: 'group', group_id: 'group_finance', space_id: 'space_keys_other' }, 400, 'VALIDATION_FAILED', 'space_id'],
      [{ level: 'group', group_id: 'group_nope' }, 404, 'GROUP_NOT_FOUND'],
      [{ level: 'group' }, 400, 'VALIDATION_FAILED', 'group_id'],
      [{ level: 'space', space_id: 'space_nope' }, 404, 'SPACE_NOT_FOUND'],
      [{ level: 'space', space_id: 'space_acme', group_id: 'group_finance' }, 400, 'VALIDATION_FAILED', 'group_id'],
      [{ level: 'space' }, 400, 'VALIDATION_FAILED', 'space_id'],
      [{ level: 'instance', space_id: 'space_acme' }, 400, 'VALIDATION_FAILED', 'space_id'],
      [{ level: 'instance', permission_keys: [] }, 400, 'VALIDATION_FAILED', 'permission_keys'],
      [{ level: 'instance', permission_keys: ['*:read'] }, 400, 'VALIDATION_FAILED', 'permission_keys'],
      [{ level: 'instance', permission_keys: ['users'] }, 400, 'VALIDATION_FAILED', 'permission_keys'],
      [{ level: 'instance', permission_keys: ['users:'] }, 400, 'VALIDATION_FAILED', 'permission_keys'],
      [{ level: 'instance', permission_keys: 'users:read' }, 400, 'VALIDATION_FAILED', 'permission_keys'],
      [{ level: 'instance', permission_keys: [7] }, 400, 'VALIDATION_FAILED', 'permission_keys'],
      [{ level: 'instance', status: 'revoked' }, 400, 'VALIDATION_FAILED', 'status'],
      [{ level: 'instance', expires_at: past().toISOString() }, 400, 'VALIDATION_FAILED', 'expires_at'],
      [{ level: 'instance', name: '' }, 400, 'VALIDATION_FAILED', 'name'],
      [{ level: 'universe' }, 400, 'VALIDATION_FAILED', 'level'],
      [{ level: 'instance', id: 'ak.dot' }, 400, 'VALIDATION_FAILED', 'id'],
      [{ level: 'instance', key_hash: 'x' }, 400, 'VALIDATION_FAILED', 'key_hash'],
      [{ level: 'instance', metadata: { password: 'x' } }, 400, 'VALIDATION_FAILED', 'metadata'],
    ];
    for (const [body, status, code, field] of cases) {
      const error = expectError(await create(root.auth, { ...base, ...body }), status, code);
      if (field) expect({ body, fields: error.details.fields.map((f: { field: string }) => f.field) }).toEqual({ body, fields: expect.arrayContaining([field]) });
    }
    await create(root.auth, { ...base, id: 'ak_fixed', level: 'instance' }).expect(201);
    expectError(await create(root.auth, { ...base, id: 'ak_fixed', level: 'instance' }), 409, 'API_KEY_CONFLICT');
  });

  it('revokes a key: it stops working at once, the revocation is recorded, and a second revoke is a conflict', async () => {
    const key = (await create(root.auth, { name: 'temp', level: 'instance', permission_keys: ['api_keys:read'] }).expect(201)).body.data;
    await core.http.get(KEYS).set('X-Plystra-API-Key', key.api_key).expect(200);
    const res = await core.http.post(`${KEYS}/${key.id}/revoke`).set(...root.auth).send({ revoked_reason: 'leaked' }).expect(200);
    expect(res.body.data).toMatchObject({ id: key.id, status: 'revoked', revoked_by_user_id: 'user_root', revoked_reason: 'leaked' });
    expect(res.body.data.revoked_at).not.toBeNull();
    expectError(await core.http.get(KEYS).set('X-Plystra-API-Key', key.api_key), 401, 'AUTHENTICATION_REQUIRED');
    expectError(await core.http.post(`${KEYS}/${key.id}/revoke`).set(...root.auth).send({}), 409, 'API_KEY_CONFLICT');
    expectError(await core.http.get(`${KEYS}/ak_missing`).set(...root.auth), 404, 'API_KEY_NOT_FOUND');
    expectError(await core.http.post(`${KEYS}/ak_missing/revoke`).set(...root.auth).send({}), 404, 'API_KEY_NOT_FOUND');
    const actions = await core.db.dataSource.query(`SELECT action FROM audit_logs WHERE resource_id = $1 ORDER BY created_at`, [key.id]);
    expect(actions).toEqual([{ action: 'api_key.created' }, { action: 'api_key.revoked' }]);
  });

  it('a key that creates a key hands on only what it holds, and is named as its creator', async () => {
    const parent = (await create(root.auth, { name: 'provisioner', level: 'space', space_id: 'space_acme', permission_keys: ['api_keys:create', 'authz:check'] }).expect(201)).body.data;
    const child = await create(['X-Plystra-API-Key', parent.api_key], { name: 'child', level: 'group', group_id: 'group_legal', permission_keys: ['authz:check'] }).expect(201);
    expect(child.body.data).toMatchObject({ created_by_api_key_id: parent.id, created_by_user_id: 'user_root', space_id: 'space_acme' });
    const audit = await core.db.dataSource.query(`SELECT actor_user_id, trace FROM audit_logs WHERE resource_id = $1`, [child.body.data.id]);
    expect(audit[0].actor_user_id).toBe('user_root');
    expect(JSON.stringify(audit[0].trace)).toContain(parent.id);
    const refused = expectError(await create(['X-Plystra-API-Key', parent.api_key], { name: 'x', level: 'space', space_id: 'space_acme', permission_keys: ['authz:check', 'audit:read'] }), 403, 'ADMIN_PERMISSION_REQUIRED');
    expect(refused.details.permission).toBe('audit:read');
  });

  it('pages newest first with a real cursor and filters by level, space, group and status', async () => {
    await core.db.dataSource.query(`INSERT INTO spaces (id, name) VALUES ('space_paging', 'Paging')`);
    await core.db.dataSource.query(`INSERT INTO groups (id, space_id, name, path) VALUES ('group_paging', 'space_paging', 'P', 'p')`);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await create(root.auth, { name: `p${i}`, level: 'space', space_id: 'space_paging', permission_keys: ['authz:check'] }).expect(201)).body.data.id);
    }
    const grouped = (await create(root.auth, { name: 'g', level: 'group', group_id: 'group_paging', permission_keys: ['authz:check'], status: 'disabled' }).expect(201)).body.data.id;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { data: Array<{ id: string }>; pagination: { cursor: string | null } } } =
        await core.http.get(KEYS).query({ level: 'space', space_id: 'space_paging', limit: 2, ...(cursor ? { cursor } : {}) }).set(...root.auth).expect(200);
      seen.push(...res.body.data.map((k) => k.id));
      cursor = res.body.pagination.cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const list = async (query: Record<string, string>) => (await core.http.get(KEYS).query(query).set(...root.auth).expect(200)).body.data.map((k: { id: string }) => k.id);
    expect(await list({ group_id: 'group_paging' })).toEqual([grouped]);
    expect(await list({ space_id: 'space_paging', status: 'disabled' })).toEqual([grouped]);
    expect(await list({ space_id: 'space_paging', status: 'active' })).toHaveLength(5);
    expect(JSON.stringify(await list({ space_id: 'space_paging' }))).not.toContain('key_hash');
    expectError(await core.http.get(KEYS).query({ level: 'planet' }).set(...root.auth), 400, 'VALIDATION_FAILED');
  });

  it('refuses disabled, revoked, expired and malformed keys with 401', async () => {
    for (const status of ['disabled', 'revoked'] as const) {
      const key = await insertKey(core, { level: 'instance', permission_keys: ['*'], status });
      expectError(await core.http.get(KEYS).set(...key.header), 401, 'AUTHENTICATION_REQUIRED');
    }
    const expired = await insertKey(core, { level: 'instance', permission_keys: ['*'], expires_at: past() });
    expectError(await core.http.get(KEYS).set(...expired.header), 401, 'AUTHENTICATION_REQUIRED');
    const good = await insertKey(core, { level: 'instance', permission_keys: ['*'], expires_at: future() });
    await core.http.get(KEYS).set(...good.header).expect(200);
    const [prefix, secret] = good.plaintext.split('.');
    for (const bad of [`${prefix}.${secret.toUpperCase()}`, `${prefix}.${secret.slice(1)}0`, `${prefix}.${'0'.repeat(64)}`, `${prefix}`, 'ply_ak_.x', `ply_ak_ak_other.${secret}`]) {
      expectError(await core.http.get(KEYS).set('X-Plystra-API-Key', bad), 401, 'AUTHENTICATION_REQUIRED');
    }
  });

  it('never answers malformed bodies or odd ids with a 5xx', async () => {
    const answers: Array<{ what: unknown; status: number; code: unknown }> = [];
    const record = (what: unknown, res: { status: number; body: { error?: { code?: unknown } } }) => answers.push({ what, status: res.status, code: res.body?.error?.code });
    const bodies: unknown[] = [
      [], 'x', 1, null, { name: 'n', level: 'space', space_id: 'sp\u0000', permission_keys: ['a:b'] }, { name: 'n\u0000', level: 'instance', permission_keys: ['a:b'] },
      { name: 'n', level: 'instance', permission_keys: ['a:b'], expires_at: '2999-13-45T00:00:00Z' }, { name: 'n', level: 'instance', permission_keys: Array.from({ length: 500 }, (_, i) => `d${i}:read`) },
      { name: 'n', level: 'instance', permission_keys: [{}] }, { name: { a: 1 }, level: 'instance', permission_keys: ['a:b'] },
    ];
    for (const body of bodies) record(body, await core.http.post(KEYS).set(...root.auth).set('Content-Type', 'application/json').send(JSON.stringify(body)));
    record('truncated', await core.http.post(KEYS).set(...root.auth).set('Content-Type', 'application/json').send('{"name":'));
    for (const id of ['%00', 'x'.repeat(5000), '%F0%9F%94%91']) {
      record(`GET ${id.slice(0, 10)}`, await core.http.get(`${KEYS}/${id}`).set(...root.auth));
      record(`revoke ${id.slice(0, 10)}`, await core.http.post(`${KEYS}/${id}/revoke`).set(...root.auth).send({}));
    }
    expect(answers.filter((a) => a.status < 400 || a.status >= 500 || typeof a.code !== 'string')).toEqual([]);
  });
});
