import type { Response } from 'supertest';
import { codeOf, type ManagementTestApp, startManagement } from './management-harness';

const ROWS = 13;
const LIMIT = 4;

describe('management API: keyset pagination and filters (HTTP, real PostgreSQL)', () => {
  let core: ManagementTestApp;
  let spaceId: string;
  beforeAll(async () => {
    core = await startManagement();
    spaceId = (await core.admin.post('/spaces', { name: 'Paged' }).expect(201)).body.data.id;
  });
  afterAll(() => core.close());

  /** Follows the cursors of a list to its end; every page but the last is full and says has_more. */
  async function collect(path: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const res: Response = await core.admin.get(`${path}${sep}limit=${LIMIT}${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      const { pagination, data } = res.body;
      expect(pagination.limit).toBe(LIMIT);
      expect(pagination.has_more).toBe(pagination.cursor !== null);
      if (pagination.has_more) expect(data).toHaveLength(LIMIT);
      ids.push(...data.map((row: { id: string }) => row.id));
      cursor = pagination.cursor;
      if (!cursor) return ids;
    }
    throw new Error('pagination did not end');
  }

  /** The same rows straight from the database, newest first. */
  const expected = async (sql: string, params: unknown[] = []) =>
    (await core.db.dataSource.query(`${sql} ORDER BY created_at DESC, id DESC`, params)).map((r: { id: string }) => r.id);

  /** Many rows created at once, so several share a millisecond. */
  const createMany = (make: (i: number) => Promise<{ status: number }>) =>
    Promise.all(Array.from({ length: ROWS }, (_, i) => make(i))).then((results) => expect(results.every((r) => r.status === 201)).toBe(true));

  it('pages every list completely, in order, without duplicates or gaps', async () => {
    await createMany((i) => core.admin.post('/users', { email: `paged-${i}@example.com` }));
    await createMany((i) => core.admin.post('/spaces', { name: `Paged ${i}` }));
    await createMany((i) => core.admin.post(`/spaces/${spaceId}/groups`, { path: `g${i}` }));
    await createMany((i) => core.admin.post(`/spaces/${spaceId}/members`, { display_name: `M ${i}` }));
    await createMany((i) => core.admin.post(`/spaces/${spaceId}/roles`, { key: `role_${i}` }));
    const member = (await core.admin.get(`/spaces/${spaceId}/members?limit=1`).expect(200)).body.data[0].id;
    const roles = (await core.db.dataSource.query(`SELECT id FROM roles WHERE space_id = $1`, [spaceId])).map((r: { id: string }) => r.id);
    await createMany((i) => core.admin.post(`/spaces/${spaceId}/user-members`, { user_id: 'user_bob', member_id: member, relation_type: `rel_${i}` }));
    await createMany((i) => core.admin.post(`/spaces/${spaceId}/member-roles`, { member_id: member, role_id: roles[i] }));
    await createMany((i) => core.admin.post('/permissions', { resource: 'paged', action: `act_${i}`, scope: 'space' }));
    const perms = (await core.db.dataSource.query(`SELECT id FROM permissions WHERE resource = 'paged'`)).map((r: { id: string }) => r.id);
    await createMany((i) => core.admin.post('/role-permissions', { role_id: roles[0], permission_id: perms[i] }));
    await createMany((i) => core.admin.post('/resource-types', { key: `paged_${i}`, display_name: `Paged ${i}` }));
    await createMany((i) => core.admin.post('/resource-types/invoice/actions', { key: `paged_${i}`, display_name: `Paged ${i}` }));
    await createMany(() => core.admin.post(`/spaces/${spaceId}/resources`, { resource_type: 'invoice' }));

    const cases: Array<[string, string, unknown[]]> = [
      ['/users', 'SELECT id, created_at FROM users', []],
      ['/spaces', 'SELECT id, created_at FROM spaces', []],
      [`/spaces/${spaceId}/groups`, 'SELECT id, created_at FROM groups WHERE space_id = $1', [spaceId]],
      [`/spaces/${spaceId}/members`, 'SELECT id, created_at FROM members WHERE space_id = $1', [spaceId]],
      [`/spaces/${spaceId}/roles`, 'SELECT id, created_at FROM roles WHERE space_id = $1', [spaceId]],
      [`/spaces/${spaceId}/user-members`, 'SELECT id, created_at FROM user_members WHERE space_id = $1', [spaceId]],
      [`/spaces/${spaceId}/member-roles`, 'SELECT id, created_at FROM member_roles WHERE space_id = $1', [spaceId]],
      [`/spaces/${spaceId}/member-role-grants`, 'SELECT id, created_at FROM member_roles WHERE space_id = $1', [spaceId]],
      ['/permissions', 'SELECT id, created_at FROM permissions', []],
      [`/role-permissions?role_id=${roles[0]}`, 'SELECT id, created_at FROM role_permissions WHERE role_id = $1', [roles[0]]],
      ['/resource-types', 'SELECT id, created_at FROM resource_types', []],
      ['/resource-types/invoice/actions', `SELECT id, created_at FROM resource_actions WHERE resource_type_id = 'rt_invoice'`, []],
      [`/spaces/${spaceId}/resources`, 'SELECT id, created_at FROM resources WHERE space_id = $1', [spaceId]],
      [`/resources?space_id=${spaceId}`, 'SELECT id, created_at FROM resources WHERE space_id = $1', [spaceId]],
    ];
    for (const [path, sql, params] of cases) {
      const want = await expected(sql, params);
      expect(want.length).toBeGreaterThan(LIMIT * 2);
      const got = await collect(path);
      expect({ path, ids: got }).toEqual({ path, ids: want });
    }
  });

  it('keeps rows whose timestamps differ only in microseconds', async () => {
    const space = (await core.admin.post('/spaces', { name: 'Microseconds' }).expect(201)).body.data.id;
    for (let i = 1; i <= 6; i++) {
      await core.db.dataSource.query(`INSERT INTO members (id, space_id, display_name, created_at) VALUES ($1, $2, 'm', '2030-01-01T00:00:00.000${i}00Z')`, [`member_us_${i}`, space]);
    }
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await core.admin.get(`/spaces/${space}/members?limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      ids.push(...res.body.data.map((m: { id: string }) => m.id));
      cursor = res.body.pagination.cursor;
    } while (cursor);
    expect(ids).toEqual(['member_us_6', 'member_us_5', 'member_us_4', 'member_us_3', 'member_us_2', 'member_us_1']);
  });

  it('applies filters together with paging', async () => {
    const space = (await core.admin.post('/spaces', { name: 'Filtered' }).expect(201)).body.data.id;
    const made = await Promise.all(Array.from({ length: 10 }, (_, i) => core.admin.post(`/spaces/${space}/members`, { display_name: `F ${i}`, member_type: i % 2 ? 'service' : 'human' })));
    await Promise.all(made.slice(0, 6).map((r) => core.admin.post(`/spaces/${space}/members/${r.body.data.id}/disable`).expect(200)));
    const disabledServices = await collect(`/spaces/${space}/members?status=disabled&member_type=service`);
    const want = await expected(`SELECT id, created_at FROM members WHERE space_id = $1 AND status = 'disabled' AND member_type = 'service'`, [space]);
    expect(want).toHaveLength(3);
    expect(disabledServices).toEqual(want);
  });

  it('refuses a bad limit or cursor with 400', async () => {
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'limit=1.5', 'cursor=not-a-cursor', 'cursor=' + Buffer.from('[1,2]').toString('base64url')]) {
      expect(codeOf(await core.admin.get(`/spaces/${spaceId}/members?${query}`).expect(400))).toBe('VALIDATION_FAILED');
    }
    expect(codeOf(await core.admin.get(`/spaces/${spaceId}/groups/tree?cursor=bad`).expect(400))).toBe('VALIDATION_FAILED');
    expect((await core.admin.get('/users').expect(200)).body.pagination.limit).toBe(50);
  });
});
