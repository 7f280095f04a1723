import type { DataSource, MigrationInterface } from 'typeorm';
import { createDataSource } from './data-source';

export type MigrationClass = new () => MigrationInterface;

/** The versioned migrations of one service, tracked in that service's own table. */
export interface MigrationSet {
  service: string;
  tableName: string;
  migrations: MigrationClass[];
  /** Sets that must be applied (and current) before this one. */
  requires?: MigrationSet[];
}

export interface MigrationStatus {
  service: string;
  applied: string[];
  pending: string[];
  /** Applied in the database but unknown to this build (the database is ahead of the code). */
  unknown: string[];
  expected: string | null;
  current: string | null;
}

export function migrationName(migration: MigrationClass): string {
  const instance = new migration();
  return instance.name ?? migration.name;
}

async function appliedNames(dataSource: DataSource, tableName: string): Promise<string[] | null> {
  const [{ exists }] = await dataSource.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [tableName]);
  if (!exists) return null;
  const rows: Array<{ name: string }> = await dataSource.query(`SELECT name FROM "${tableName}" ORDER BY timestamp, id`);
  return rows.map((row) => row.name);
}

export async function migrationStatus(dataSource: DataSource, set: MigrationSet): Promise<MigrationStatus> {
  const known = set.migrations.map(migrationName);
  const applied = (await appliedNames(dataSource, set.tableName)) ?? [];
  const appliedSet = new Set(applied);
  const knownSet = new Set(known);
  return {
    service: set.service,
    applied,
    pending: known.filter((name) => !appliedSet.has(name)),
    unknown: applied.filter((name) => !knownSet.has(name)),
    expected: known.at(-1) ?? null,
    current: applied.at(-1) ?? null,
  };
}

export class MigrationPrerequisiteError extends Error {}

/**
 * Applies the pending migrations of a set, each in its own transaction. Refuses when a set it
 * requires is missing or behind, or when the database holds migrations this build does not know.
 */
export async function runMigrations(url: string, set: MigrationSet): Promise<string[]> {
  const dataSource = createDataSource({ url, poolSize: 2, migrations: set.migrations, migrationsTableName: set.tableName });
  await dataSource.initialize();
  try {
    for (const required of set.requires ?? []) {
      const status = await migrationStatus(dataSource, required);
      if (status.applied.length === 0) {
        throw new MigrationPrerequisiteError(
          `${set.service} migrations need ${required.service}'s schema, which is missing: run the ${required.service} migrations first`,
        );
      }
      if (status.pending.length > 0) {
        throw new MigrationPrerequisiteError(
          `${set.service} migrations need ${required.service}'s schema to be current; pending: ${status.pending.join(', ')}`,
        );
      }
    }
    const before = await migrationStatus(dataSource, set);
    if (before.unknown.length > 0) {
      throw new MigrationPrerequisiteError(
        `the database has ${set.service} migrations this build does not know: ${before.unknown.join(', ')}`,
      );
    }
    const executed = await dataSource.runMigrations({ transaction: 'each' });
    return executed.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

export async function verifyMigrations(url: string, sets: MigrationSet[]): Promise<MigrationStatus[]> {
  const dataSource = createDataSource({ url, poolSize: 1 });
  await dataSource.initialize();
  try {
    const result: MigrationStatus[] = [];
    for (const set of sets) result.push(await migrationStatus(dataSource, set));
    return result;
  } finally {
    await dataSource.destroy();
  }
}
