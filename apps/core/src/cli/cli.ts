import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDataSource, resolveDatabase, runMigrations, verifyMigrations, type ResolvedDatabase } from '@plystra/db';
import { ApiError, type FieldProblem, StrictValidationPipe, secretProblems } from '@plystra/http';
import { allMigrationSets, migrationSetFor } from '@plystra/migrations';
import { settingWriteProblem } from '@plystra/plugin-auth-settings';
import { TokenHasher } from '@plystra/session';
import type { DataSource } from 'typeorm';
import { AccessPolicy } from '../access/access-policy.service';
import { type GrantRow, type Principal, heldFromGrants } from '../access/principal';
import { BootstrapSuperAdminError, bootstrapSuperAdmin } from '../admin/bootstrap-super-admin';
import { ApiKeysRepository } from '../api-keys/api-keys.repository';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { ApiKeyCreateDto } from '../api-keys/dto/api-key.dto';
import { DEV_API_KEY_SECRET, coreConfigProblems, loadDatabaseSettings } from '../config/core-config';
import { DEMO_PASSWORD, seedDemo } from '../demo/demo-seed';

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  workspaceRoot?: string;
}

export class CliError extends Error {}

interface Command {
  summary: string;
  /** Printed under the summary by `<command> --help`. */
  details?: string;
  usage: string;
  options?: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; description: string }>;
  /** Whether the command takes positional arguments. */
  positionals?: boolean;
  run(io: CliIo, values: Record<string, string | boolean | string[] | undefined>, args: string[]): Promise<number>;
}

async function withDatabase<T>(io: CliIo, fn: (url: string, db: ResolvedDatabase) => Promise<T>): Promise<T> {
  const settings = loadDatabaseSettings(io.env);
  const db = await resolveDatabase({ url: settings.url, production: settings.production, workspaceRoot: io.workspaceRoot ?? resolve(__dirname, '../../../../..') });
  try {
    return await fn(db.url, db);
  } finally {
    await db.embedded?.stop();
  }
}

async function withDataSource<T>(url: string, fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = createDataSource({ url, poolSize: 2, applicationName: 'plystra-cli' });
  await ds.initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

const SERVICE_OPTION = { type: 'string' as const, description: `only this service's migrations (${allMigrationSets.map((s) => s.service).join(', ')})` };

function selectedSets(service: string | boolean | string[] | undefined) {
  if (typeof service !== 'string') return allMigrationSets;
  const set = migrationSetFor(service);
  if (!set) throw new CliError(`unknown service "${service}"; known: ${allMigrationSets.map((s) => s.service).join(', ')}`);
  return [set];
}

/** The API-key HMAC secret, as Core reads it (`PLYSTRA_API_KEY_SECRET`, alias `API_KEY_SECRET`); production refuses a weak one. */
function apiKeyHasher(io: CliIo, production: boolean): TokenHasher {
  const secret = (io.env.PLYSTRA_API_KEY_SECRET ?? io.env.API_KEY_SECRET)?.trim() || undefined;
  if (production) {
    const problems = secretProblems('PLYSTRA_API_KEY_SECRET', secret);
    if (problems.length) throw new CliError(problems.join('; '));
  }
  return new TokenHasher(secret ?? DEV_API_KEY_SECRET, []);
}

/**
 * The creating user as the HTTP route would see a session of theirs: their active admin grants
 * (same selection as CredentialService.session), so the route's rules apply unchanged.
 */
async function userPrincipal(ds: DataSource, userId: string): Promise<Principal> {
  const [user] = await ds.query(`SELECT id, email, status FROM users WHERE id = $1 AND deleted_at IS NULL`, [userId]);
  if (!user) throw new CliError(`USER_NOT_FOUND: no user ${JSON.stringify(userId)}`);
  if (user.status !== 'active') throw new CliError(`USER_INACTIVE: user ${JSON.stringify(userId)} is ${user.status}, not active`);
  const grants: GrantRow[] = await ds.query(
    `SELECT id, level, permission_key, space_id, group_id, member_id FROM admin_grants
      WHERE user_id = $1 AND status = 'active' AND revoked_at IS NULL AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [userId],
  );
  const memberId = grants.find((g) => g.member_id)?.member_id ?? null;
  return {
    type: 'session',
    session: { id: 'cli', user_id: user.id, user_email: user.email, active_space_id: null, active_member_id: memberId, active_user_member_id: null, expires_at: new Date(Date.now() + 60_000) },
    grants,
    superAdmin: grants.some((g) => g.level === 'instance_super_admin'),
    held: heldFromGrants(grants),
  };
}

function apiErrorMessage(error: ApiError): string {
  const fields = Array.isArray(error.details) ? (error.details as FieldProblem[]).map((f) => `${f.field}: ${f.message}`) : [];
  return `${error.code}: ${error.message}${fields.length ? ` (${fields.join('; ')})` : ''}`;
}

export const COMMANDS: Record<string, Command> = {
  migrate: {
    summary: 'apply pending migrations (Core first, then each plugin)',
    usage: 'migrate [--service <name>]',
    options: { service: SERVICE_OPTION },
    run: (io, v) =>
      withDatabase(io, async (url) => {
        for (const set of selectedSets(v.service)) {
          const applied = await runMigrations(url, set);
          io.out(`${set.service}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
        }
        return 0;
      }),
  },
  'migrate:verify': {
    summary: 'report pending or unknown migrations; exit 1 when the schema does not match this build',
    usage: 'migrate:verify [--service <name>]',
    options: { service: SERVICE_OPTION },
    run: (io, v) =>
      withDatabase(io, async (url) => {
        let ok = true;
        for (const status of await verifyMigrations(url, selectedSets(v.service))) {
          const fine = status.pending.length === 0 && status.unknown.length === 0;
          ok &&= fine;
          io.out(`${status.service}: ${fine ? 'current' : 'NOT current'} (applied ${status.applied.length}, expected ${status.expected ?? 'none'})`);
          for (const name of status.pending) io.out(`  pending: ${name}`);
          for (const name of status.unknown) io.out(`  unknown to this build: ${name}`);
        }
        return ok ? 0 : 1;
      }),
  },
  'seed:demo': {
    summary: `insert the Finance Reviewer demo data (alice@example.com / bob@example.com, password ${DEMO_PASSWORD})`,
    usage: 'seed:demo',
    run: (io) =>
      withDatabase(io, (url) =>
        withDataSource(url, async (ds) => {
          if (loadDatabaseSettings(io.env).production) throw new CliError('seed:demo is refused in production: the demo users have a published password');
          const { created } = await seedDemo(ds);
          io.out(created ? `demo data created; sign in as alice@example.com / ${DEMO_PASSWORD}` : 'demo data already present; nothing changed');
          return 0;
        }),
      ),
  },
  'bootstrap-super-admin': {
    summary: 'grant the first instance super admin to an existing user',
    usage: 'bootstrap-super-admin --user-id <id> [--member-id <id>] [--grant-id <id>] [--if-exists error|ok]',
    options: {
      'user-id': { type: 'string', description: 'the user to make super admin (required)' },
      'member-id': { type: 'string', description: 'the member the grant names (default: one of the user’s active bindings)' },
      'grant-id': { type: 'string', description: 'the grant id (default: ag_<user>_instance_super_admin)' },
      'if-exists': { type: 'string', description: 'error (default) or ok when a super admin already exists' },
    },
    run: (io, v) => {
      if (typeof v['user-id'] !== 'string' || !v['user-id']) throw new CliError('--user-id is required');
      const ifExists = (v['if-exists'] ?? 'error') as string;
      if (ifExists !== 'error' && ifExists !== 'ok') throw new CliError('--if-exists must be error or ok');
      return withDatabase(io, (url) =>
        withDataSource(url, async (ds) => {
          const result = await bootstrapSuperAdmin(ds, {
            userId: v['user-id'] as string,
            memberId: v['member-id'] as string | undefined,
            grantId: v['grant-id'] as string | undefined,
            ifExists,
          }).catch((error: unknown) => {
            if (error instanceof BootstrapSuperAdminError) throw new CliError(`${error.code}: ${error.message}`);
            throw error;
          });
          io.out(JSON.stringify(result));
          return 0;
        }),
      );
    },
  },
  'api-keys:create': {
    summary: 'create an API key in the database with the HTTP route’s rules; prints the plaintext key once',
    usage:
      'api-keys:create --created-by-user-id <id> --name <name> --level instance|space|group [--space-id <id>] [--group-id <id>] --permission <key> [--permission <key>…] [--id <id>] [--expires-at <ISO-8601>] [--disabled]',
    options: {
      'created-by-user-id': { type: 'string', description: 'an existing active user; the key may only carry permissions that user holds there (required)' },
      name: { type: 'string', description: 'the key’s name (required)' },
      level: { type: 'string', description: 'instance, space or group (required)' },
      'space-id': { type: 'string', description: 'the space of a space-level key' },
      'group-id': { type: 'string', description: 'the group of a group-level key' },
      permission: { type: 'string', multiple: true, description: 'a permission key (domain:action); repeat or comma-separate (at least one)' },
      id: { type: 'string', description: 'the key id (default: a new ak_… id)' },
      'expires-at': { type: 'string', description: 'expiry, ISO-8601, in the future' },
      disabled: { type: 'boolean', description: 'create it disabled' },
    },
    run: async (io, v) => {
      const userId = v['created-by-user-id'];
      if (typeof userId !== 'string' || !userId) throw new CliError('--created-by-user-id is required');
      const permissions = ((v.permission as string[] | undefined) ?? []).flatMap((p) => p.split(',')).filter((p) => p.trim() !== '');
      const body: Record<string, unknown> = { name: v.name, level: v.level, permission_keys: permissions };
      for (const [flag, field] of [['space-id', 'space_id'], ['group-id', 'group_id'], ['id', 'id'], ['expires-at', 'expires_at']] as const) {
        if (v[flag] !== undefined) body[field] = v[flag];
      }
      if (v.disabled) body.status = 'disabled';
      const production = loadDatabaseSettings(io.env).production;
      const hasher = apiKeyHasher(io, production);
      return withDatabase(io, (url) =>
        withDataSource(url, async (ds) => {
          try {
            const dto = (await new StrictValidationPipe().transform(body, { type: 'body', metatype: ApiKeyCreateDto })) as ApiKeyCreateDto;
            const principal = await userPrincipal(ds, userId);
            const service = new ApiKeysService(ds, new ApiKeysRepository(ds), new AccessPolicy(ds), hasher);
            const ctx = { requestId: `cli_${Date.now().toString(36)}`, ip: '127.0.0.1', userAgent: 'plystra-cli', startedAt: Date.now(), credential: principal };
            const { api_key: plaintext, key: _key, ...record } = await service.create(dto, ctx);
            io.out(`api key (shown once, store it now): ${plaintext}`);
            io.out(JSON.stringify(record, null, 2));
            return 0;
          } catch (error) {
            if (error instanceof ApiError) throw new CliError(apiErrorMessage(error));
            throw error;
          }
        }),
      );
    },
  },
  'settings:get': {
    summary: 'print plugin_auth_settings (one key, or all) as JSON',
    usage: 'settings:get [key]',
    positionals: true,
    run: (io, _v, args) => {
      if (args.length > 1) throw new CliError('settings:get takes at most one key');
      return withDatabase(io, (url) =>
        withDataSource(url, async (ds) => {
          const rows: Array<{ key: string; value: unknown; updated_at: Date; updated_by: string | null }> = args.length
            ? await ds.query(`SELECT key, value, updated_at, updated_by FROM plugin_auth_settings WHERE key = $1`, [args[0]])
            : await ds.query(`SELECT key, value, updated_at, updated_by FROM plugin_auth_settings ORDER BY key`);
          if (args.length && !rows.length) throw new CliError(`unknown setting "${args[0]}"`);
          if (args.length) io.out(JSON.stringify(rows[0].value));
          else io.out(JSON.stringify(Object.fromEntries(rows.map((r) => [r.key, r.value])), null, 2));
          return 0;
        }),
      );
    },
  },
  'settings:set': {
    summary: 'set one plugin_auth_settings key to a JSON value; every plugin replica applies it within 5 s',
    details:
      'The value is checked by the plugin’s own settings parser (@plystra/plugin-auth-settings): types, ranges, durations, URLs,\norigins, CIDRs and e-mail addresses. A value the plugin would refuse is refused here with the same message (exit 2)\nand nothing is written; secret-looking and unknown keys are refused too.',
    usage: "settings:set <key> <json value>   e.g. settings:set public_registration_enabled true, settings:set email_from_name '\"Acme\"'",
    positionals: true,
    options: { 'updated-by': { type: 'string', description: 'recorded in updated_by (default: cli)' } },
    run: (io, v, args) => {
      if (args.length !== 2) throw new CliError('settings:set needs <key> and <json value>');
      const [key, raw] = args;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new CliError(`the value is not JSON: ${raw} (a string needs quotes: '"text"')`);
      }
      // Exactly the plugin's own check (SettingsService.set), so the CLI never writes a value the plugin would refuse.
      const problem = settingWriteProblem(key, value);
      if (problem) throw new CliError(problem);
      return withDatabase(io, (url) =>
        withDataSource(url, async (ds) => {
          const [rows] = await ds.query(`UPDATE plugin_auth_settings SET value = $2::jsonb, updated_by = $3 WHERE key = $1 RETURNING key, value`, [
            key,
            JSON.stringify(value),
            typeof v['updated-by'] === 'string' ? v['updated-by'] : 'cli',
          ]);
          if (!rows.length) throw new CliError(`setting "${key}" is not in plugin_auth_settings; run: npm run plystra -- migrate`);
          io.out(`${key} = ${JSON.stringify(rows[0].value)}`);
          return 0;
        }),
      );
    },
  },
  doctor: {
    summary: 'print every configuration problem (production guards included) and check the database',
    usage: 'doctor',
    run: async (io) => {
      const problems = coreConfigProblems(io.env);
      for (const problem of problems) io.out(`problem: ${problem}`);
      const settings = loadDatabaseSettings(io.env);
      if (settings.url) {
        try {
          for (const status of await verifyMigrations(settings.url, allMigrationSets)) {
            if (status.pending.length || status.unknown.length) {
              problems.push(`${status.service} schema`);
              io.out(`problem: ${status.service} schema is not current (pending ${status.pending.length}, unknown ${status.unknown.length}); run: npm run plystra -- migrate`);
            }
          }
        } catch (error) {
          problems.push('database');
          io.out(`problem: DATABASE_URL: the database cannot be reached (${(error as Error).message})`);
        }
      } else if (!settings.production) {
        io.out('note: no DATABASE_URL; development commands use the embedded PostgreSQL in .data/');
      }
      io.out(problems.length ? `${problems.length} problem(s) found` : 'no problems found');
      return problems.length ? 1 : 0;
    },
  },
};

function help(io: CliIo, name?: string): void {
  if (name && COMMANDS[name]) {
    const c = COMMANDS[name];
    io.out(`usage: npm run plystra -- ${c.usage}\n\n${c.summary}${c.details ? `\n${c.details}` : ''}`);
    for (const [option, spec] of Object.entries(c.options ?? {})) io.out(`  --${option.padEnd(20)} ${spec.description}`);
    return;
  }
  io.out('usage: npm run plystra -- <command> [options]\n\ncommands:');
  for (const [command, c] of Object.entries(COMMANDS)) io.out(`  ${command.padEnd(24)} ${c.summary}`);
  io.out('\nrun a command with --help for its options');
}

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failed check or error, 2 usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(io, rest[0]);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`unknown command "${name}"`);
    help(io);
    return 2;
  }
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean' } }, strict: true, allowPositionals: command.positionals ?? false }));
  } catch (error) {
    io.err((error as Error).message);
    help(io, name);
    return 2;
  }
  if (values.help) {
    help(io, name);
    return 0;
  }
  try {
    return await command.run(io, values, positionals);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
}
