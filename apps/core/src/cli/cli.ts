import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDataSource, resolveDatabase, runMigrations, verifyMigrations, type ResolvedDatabase } from '@plystra/db';
import { allMigrationSets, migrationSetFor } from '@plystra/migrations';
import type { DataSource } from 'typeorm';
import { BootstrapSuperAdminError, bootstrapSuperAdmin } from '../admin/bootstrap-super-admin';
import { coreConfigProblems, loadDatabaseSettings } from '../config/core-config';
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
  usage: string;
  options?: Record<string, { type: 'string' | 'boolean'; description: string }>;
  run(io: CliIo, values: Record<string, string | boolean | undefined>): Promise<number>;
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

function selectedSets(service: string | boolean | undefined) {
  if (typeof service !== 'string') return allMigrationSets;
  const set = migrationSetFor(service);
  if (!set) throw new CliError(`unknown service "${service}"; known: ${allMigrationSets.map((s) => s.service).join(', ')}`);
  return [set];
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
    io.out(`usage: npm run plystra -- ${c.usage}\n\n${c.summary}`);
    for (const [option, spec] of Object.entries(c.options ?? {})) io.out(`  --${option.padEnd(14)} ${spec.description}`);
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
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean' } }, strict: true, allowPositionals: false }).values;
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
    return await command.run(io, values);
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
}
