import { codeOf, type ManagementTestApp, startManagement } from './management-harness';

describe('management API: resource registry and resources (HTTP, real PostgreSQL)', () => {
  let core: ManagementTestApp;
  beforeAll(async () => {
    core = await startManagement();
  });
  afterAll(() => core.close());

  describe('registry', () => {
    it('upserts a resource type by key: created once, then updated in place', async () => {
      const created = await core.admin.post('/resource-types', { key: 'contract', display_name: 'Contract', description: 'Signed agreements' }).expect(201);
      const type = created.body.data;
      expect(type).toMatchObject({ key: 'contract', display_name: 'Contract', description: 'Signed agreements', status: 'active', source: 'core' });
      expect(type.id).toMatch(/^rt_[0-9a-f]{16}$/);
      const updated = await core.admin.post('/resource-types', { key: 'contract', display_name: 'Contracts' }).expect(201);
      expect(updated.body.data).toMatchObject({ id: type.id, display_name: 'Contracts', description: 'Signed agreements' });
      expect(codeOf(await core.admin.post('/resource-types', { id: 'rt_other', key: 'contract', display_name: 'X' }).expect(409))).toBe('RESOURCE_TYPE_CONFLICT');
      expect(codeOf(await core.admin.post('/resource-types', { id: 'rt_invoice', key: 'receipt', display_name: 'X' }).expect(409))).toBe('RESOURCE_TYPE_CONFLICT');
      expect((await core.admin.get('/resource-types/contract').expect(200)).body.data.display_name).toBe('Contracts');
      expect(codeOf(await core.admin.get('/resource-types/unknown').expect(404))).toBe('RESOURCE_TYPE_NOT_FOUND');
      expect(codeOf(await core.admin.post('/resource-types', { key: 'Bad.Key', display_name: 'X' }).expect(400))).toBe('VALIDATION_FAILED');
      const keys = (await core.admin.get('/resource-types').expect(200)).body.data.map((t: { key: string }) => t.key);
      expect(keys).toEqual(['contract', 'invoice']);
      expect((await core.auditOf(type.id)).map((a) => a.action)).toEqual(['resource_type.created', 'resource_type.updated']);
    });

    it('upserts actions per type with risk level and audit default', async () => {
      await core.admin.post('/resource-types', { key: 'ticket', display_name: 'Ticket' }).expect(201);
      const sign = (await core.admin.post('/resource-types/ticket/actions', { key: 'close', display_name: 'Close', risk_level: 'critical', audit_default: false }).expect(201)).body.data;
      expect(sign).toMatchObject({ key: 'close', risk_level: 'critical', audit_default: false, resource_type_key: 'ticket' });
      expect(sign.id).toMatch(/^ra_[0-9a-f]{16}$/);
      const again = await core.admin.post('/resource-types/ticket/actions', { key: 'close', display_name: 'Close ticket', risk_level: 'high' }).expect(201);
      expect(again.body.data).toMatchObject({ id: sign.id, display_name: 'Close ticket', risk_level: 'high', audit_default: false });
      await core.admin.post('/resource-types/ticket/actions', { key: 'open', display_name: 'Open' }).expect(201);
      expect(codeOf(await core.admin.post('/resource-types/ticket/actions', { key: 'x', display_name: 'X', risk_level: 'extreme' }).expect(400))).toBe('VALIDATION_FAILED');
      const actions = (await core.admin.get('/resource-types/ticket/actions').expect(200)).body.data;
      expect(actions.map((a: { key: string; risk_level: string }) => [a.key, a.risk_level]).sort()).toEqual([['close', 'high'], ['open', 'normal']]);
      expect(codeOf(await core.admin.post('/resource-types/nothing/actions', { key: 'x', display_name: 'X' }).expect(404))).toBe('RESOURCE_TYPE_NOT_FOUND');
      expect(codeOf(await core.admin.get('/resource-types/nothing/actions').expect(404))).toBe('RESOURCE_TYPE_NOT_FOUND');
      expect((await core.auditOf(sign.id)).map((a) => a.action)).toEqual(['resource_action.created', 'resource_action.updated']);
    });

    it('upserts the one mapping of a type; only the internal resources table is supported', async () => {
      await core.admin.post('/resource-types', { key: 'asset', display_name: 'Asset' }).expect(201);
      expect(codeOf(await core.admin.get('/resource-types/asset/mapping').expect(404))).toBe('RESOURCE_MAPPING_NOT_FOUND');
      const created = (await core.admin.post('/resource-types/asset/mapping', {}).expect(201)).body.data;
      expect(created).toMatchObject({
        storage_kind: 'internal_table', table_name: 'resources', id_field: 'id', space_field: 'space_id', group_field: 'group_id',
        owner_member_field: 'owner_member_id', visibility_field: 'visibility', resource_type_key: 'asset',
      });
      const put = await core.admin.put('/resource-types/asset/mapping', { visibility_field: null }).expect(200);
      expect(put.body.data).toMatchObject({ id: created.id, visibility_field: null, group_field: 'group_id' });
      const patched = await core.admin.patch('/resource-types/asset/mapping', { metadata: { note: 'v1' } }).expect(200);
      expect(patched.body.data.metadata).toEqual({ note: 'v1' });
      for (const body of [{ storage_kind: 'external_api' }, { table_name: 'invoices' }, { group_field: 'department' }]) {
        expect(codeOf(await core.admin.patch('/resource-types/asset/mapping', body).expect(400))).toBe('UNSUPPORTED_RESOURCE_MAPPING');
      }
      expect(codeOf(await core.admin.post('/resource-types/nothing/mapping', {}).expect(404))).toBe('RESOURCE_TYPE_NOT_FOUND');
      expect((await core.admin.get('/resource-types/asset/mapping').expect(200)).body.data.visibility_field).toBeNull();
      expect((await core.auditOf(created.id)).map((a) => a.action)).toEqual(['resource_mapping.created', 'resource_mapping.updated', 'resource_mapping.updated']);
    });

    it('serves concurrent upserts of one new key: one creates, the rest update, one row', async () => {
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => core.admin.post('/resource-types', { key: 'race', display_name: `Race ${i}` })));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
      expect(new Set(results.map((r) => r.body.data.id)).size).toBe(1);
      const audit = await core.auditOf(results[0].body.data.id);
      expect(audit.map((a) => a.action).sort()).toEqual(['resource_type.created', ...Array(5).fill('resource_type.updated')]);
    });
  });

  describe('resources', () => {
    it('creates a resource in its space with the type key as id prefix and enriched names', async () => {
      const res = await core.admin
        .post('/spaces/space_acme/resources', { resource_type: 'invoice', group_id: 'group_finance_apac', owner_member_id: 'member_invoice_creator', display_name: 'Invoice 003', external_id: 'INV-003' })
        .expect(201);
      const resource = res.body.data;
      expect(resource.id).toMatch(/^invoice_[0-9a-f]{16}$/);
      expect(resource).toMatchObject({
        resource_type: 'invoice', space_id: 'space_acme', space_name: 'Acme', group_id: 'group_finance_apac', group_path: 'finance.apac',
        owner_member_id: 'member_invoice_creator', owner_member_display_name: 'Invoice Creator', visibility: 'private', status: 'active', external_id: 'INV-003',
      });
      expect((await core.admin.get(`/resources/invoice/${resource.id}`).expect(200)).body.data).toEqual(resource);
      expect((await core.admin.get(`/spaces/space_acme/resources/${resource.id}`).expect(200)).body.data).toEqual(resource);
      expect(codeOf(await core.admin.get(`/resources/contract/${resource.id}`).expect(404))).toBe('RESOURCE_NOT_FOUND');
      const top = await core.admin.post('/resources', { id: 'invoice_top', resource_type: 'invoice', space_id: 'space_acme' }).expect(201);
      expect(top.body.data).toMatchObject({ id: 'invoice_top', group_id: null, group_path: null, owner_member_display_name: null });
      expect(codeOf(await core.admin.post('/resources', { id: 'invoice_top', resource_type: 'invoice', space_id: 'space_acme' }).expect(409))).toBe('RESOURCE_CONFLICT');
      expect(codeOf(await core.admin.post('/resources', { resource_type: 'invoice' }).expect(400))).toBe('VALIDATION_FAILED');
      expect(codeOf(await core.admin.post('/spaces/space_acme/resources', { resource_type: 'invoice', space_id: 'space_default' }).expect(400))).toBe('VALIDATION_FAILED');
      expect(codeOf(await core.admin.post('/spaces/space_acme/resources', { resource_type: 'spaceship' }).expect(404))).toBe('RESOURCE_TYPE_NOT_FOUND');
      expect(codeOf(await core.admin.post('/resources', { resource_type: 'invoice', space_id: 'space_nowhere' }).expect(404))).toBe('SPACE_NOT_FOUND');
      expect((await core.auditOf(resource.id)).map((a) => [a.action, a.resource_type, a.space_id])).toEqual([['resource.created', 'invoice', 'space_acme']]);
    });

    it('refuses a group or owner from another space, on create and on patch', async () => {
      const other = (await core.admin.post('/spaces', { name: 'Other Co' }).expect(201)).body.data.id;
      const otherGroup = (await core.admin.post(`/spaces/${other}/groups`, { path: 'finance' }).expect(201)).body.data.id;
      const otherMember = (await core.admin.post(`/spaces/${other}/members`, { display_name: 'Stranger' }).expect(201)).body.data.id;
      const group = await core.admin.post('/spaces/space_acme/resources', { resource_type: 'invoice', group_id: otherGroup }).expect(404);
      expect([codeOf(group), group.body.error.details.fields[0].field]).toEqual(['GROUP_NOT_FOUND', 'group_id']);
      const owner = await core.admin.post('/resources', { resource_type: 'invoice', space_id: 'space_acme', owner_member_id: otherMember }).expect(404);
      expect([codeOf(owner), owner.body.error.details.fields[0].field]).toEqual(['MEMBER_NOT_FOUND', 'owner_member_id']);
      const patchGroup = await core.admin.patch('/spaces/space_acme/resources/invoice_001', { group_id: otherGroup }).expect(404);
      expect(codeOf(patchGroup)).toBe('GROUP_NOT_FOUND');
      expect(codeOf(await core.admin.patch('/spaces/space_acme/resources/invoice_001', { owner_member_id: otherMember }).expect(404))).toBe('MEMBER_NOT_FOUND');
      expect(codeOf(await core.admin.get(`/spaces/${other}/resources/invoice_001`).expect(404))).toBe('RESOURCE_NOT_FOUND');
      const [row] = await core.db.dataSource.query(`SELECT group_id, owner_member_id FROM resources WHERE id = 'invoice_001'`);
      expect(row).toEqual({ group_id: 'group_finance_apac', owner_member_id: 'member_invoice_creator' });
    });

    it('patches and archives, with audit rows under the resource type', async () => {
      const id = (await core.admin.post('/spaces/space_acme/resources', { resource_type: 'invoice', group_id: 'group_finance' }).expect(201)).body.data.id;
      const patched = await core.admin.patch(`/spaces/space_acme/resources/${id}`, { group_id: 'group_legal_emea', display_name: 'Moved', visibility: 'internal' }).expect(200);
      expect(patched.body.data).toMatchObject({ group_path: 'legal.emea', display_name: 'Moved', visibility: 'internal' });
      const archived = await core.admin.post(`/spaces/space_acme/resources/${id}/archive`, { reason: 'paid' }).expect(200);
      expect(archived.body.data.status).toBe('archived');
      const listed = await core.admin.get('/resources?space_id=space_acme&resource_type=invoice&status=archived').expect(200);
      expect(listed.body.data.map((r: { id: string }) => r.id)).toEqual([id]);
      expect((await core.admin.get('/spaces/space_acme/resources?resource_type=contract').expect(200)).body.data).toEqual([]);
      const audit = await core.auditOf(id);
      expect(audit.map((a) => [a.action, a.resource_type])).toEqual([['resource.created', 'invoice'], ['resource.updated', 'invoice'], ['resource.archived', 'invoice']]);
      expect(audit[2].trace.details).toMatchObject({ status: 'archived', reason: 'paid', group_path: 'legal.emea' });
      expect(codeOf(await core.admin.post('/spaces/space_acme/resources/invoice_nowhere/archive').expect(404))).toBe('RESOURCE_NOT_FOUND');
    });
  });
});
