import type { MigrationSet } from '@plystra/db';
import { coreMigrations } from './core';

/** Every service's migrations, in the order they apply (Core first; plugins require it). */
export const allMigrationSets: MigrationSet[] = [coreMigrations];

export function migrationSetFor(service: string): MigrationSet | undefined {
  return allMigrationSets.find((set) => set.service === service);
}
