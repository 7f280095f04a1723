import { Body, Controller, HttpCode, HttpException, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { newEnforcer, newModelFromString } from 'casbin';
import { Pool } from 'pg';

/**
 * node-casbin 5 behind a NestJS 11 endpoint (Express adapter, as Core's default), for the
 * side-by-side authorization bench. `POST /check` takes the same body as Plystra's
 * `POST /api/v1/authz/check` and answers `{allow}`.
 *
 * Model: RBAC with domains (g = member, role, space; p = role, space, resource type, action,
 * scope) plus a custom matcher function `covers` for the scopes of Core §4.3:
 *   self → the resource's owner is the actor's member; group → the resource's group is the
 *   grant's anchor; group_tree → the anchor or a descendant by path (`g1` never covers `g10`);
 *   space → the resource is in the space.
 * Policies (role permissions, member-role grants with their anchor paths) and the group paths are
 * loaded from the seeded PostgreSQL at start; per request the resource's space, group and owner are
 * read from PostgreSQL by primary key, as an application would. No audit is written.
 * Env: DATABASE_URL, PORT. Prints `listening <port>` when ready.
 */
const MODEL = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act, scope

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && r.obj.type == p.obj && r.dom == p.dom && g(r.sub, p.sub, r.dom) && covers(p.scope, r.sub, p.sub, r.obj.owner, r.obj.group, r.obj.space, r.dom)
`;

interface CheckBody {
  actor?: { member_id?: string; space_id?: string };
  resource_type?: string;
  resource_id?: string;
  action?: string;
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const enforcer = await newEnforcer(newModelFromString(MODEL));

  const { rows: permissions } = await pool.query<{ role_id: string; space_id: string; resource: string; action: string; scope: string }>(
    `SELECT r.id AS role_id, r.space_id, p.resource, p.action, p.scope
       FROM roles r JOIN role_permissions rp ON rp.role_id = r.id JOIN permissions p ON p.id = rp.permission_id
      WHERE r.status = 'active' AND p.status = 'active'`,
  );
  await enforcer.addPolicies(permissions.map((p) => [p.role_id, p.space_id, p.resource, p.action, p.scope]));
  const { rows: grants } = await pool.query<{ member_id: string; role_id: string; space_id: string; anchor: string | null }>(
    `SELECT mr.member_id, mr.role_id, mr.space_id, g.path AS anchor
       FROM member_roles mr LEFT JOIN groups g ON g.id = mr.scope_anchor_group_id AND g.status = 'active'
      WHERE mr.status = 'active'`,
  );
  // The anchors of each (member, role) grant: the data the group-tree matcher reads.
  const anchors = new Map<string, string[]>();
  const links = new Set<string>();
  for (const g of grants) {
    links.add(`${g.member_id}\u0000${g.role_id}\u0000${g.space_id}`);
    const key = `${g.member_id}\u0000${g.role_id}`;
    if (g.anchor) anchors.set(key, [...(anchors.get(key) ?? []), g.anchor]);
  }
  await enforcer.addGroupingPolicies([...links].map((l) => l.split('\u0000')));
  const { rows: groups } = await pool.query<{ id: string; path: string }>(`SELECT id, path FROM groups WHERE status = 'active'`);
  const groupPath = new Map(groups.map((g) => [g.id, g.path]));

  await enforcer.addFunction('covers', (scope: string, member: string, role: string, owner: string, group: string, space: string, domain: string) => {
    switch (scope) {
      case 'self':
        return owner !== '' && owner === member;
      case 'space':
        return space === domain;
      case 'group':
        return group !== '' && (anchors.get(`${member}\u0000${role}`) ?? []).some((a) => a === group);
      case 'group_tree':
        return group !== '' && (anchors.get(`${member}\u0000${role}`) ?? []).some((a) => group === a || group.startsWith(`${a}.`));
      default:
        return false;
    }
  });

  @Controller()
  class CheckController {
    @Post('check')
    @HttpCode(200)
    async check(@Body() body: CheckBody): Promise<{ allow: boolean }> {
      const member = body.actor?.member_id;
      const space = body.actor?.space_id;
      if (!member || !space || !body.resource_type || !body.resource_id || !body.action) throw new HttpException({ error: 'bad request' }, 400);
      const { rows } = await pool.query<{ space_id: string; group_id: string | null; owner_member_id: string | null }>({
        name: 'casbin_bench_resource',
        text: 'SELECT space_id, group_id, owner_member_id FROM resources WHERE id = $1 AND resource_type = $2',
        values: [body.resource_id, body.resource_type],
      });
      if (!rows[0]) throw new HttpException({ error: 'resource not found' }, 404);
      const resource = rows[0];
      const obj = {
        type: body.resource_type,
        owner: resource.owner_member_id ?? '',
        group: (resource.group_id && groupPath.get(resource.group_id)) || '',
        space: resource.space_id,
      };
      return { allow: await enforcer.enforce(member, space, obj, body.action) };
    }
  }

  @Module({ controllers: [CheckController] })
  class CasbinBenchModule {}

  const app = await NestFactory.create(CasbinBenchModule, { logger: ['error'] });
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : process.env.PORT} policies=${permissions.length} grants=${grants.length}\n`);
  process.once('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
