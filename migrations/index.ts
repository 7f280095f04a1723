import type { MigrationSet } from '@plystra/db';
import { coreMigrations } from './core';
import { pluginAuthCompleteMigrations } from './plugin-auth-complete';
import { pluginEmailSmtpMigrations } from './plugin-email-smtp';

/** Every service's migrations, in the order they apply (Core first; plugins require it). */
export const allMigrationSets: MigrationSet[] = [coreMigrations, pluginAuthCompleteMigrations, pluginEmailSmtpMigrations];

export function migrationSetFor(service: string): MigrationSet | undefined {
  return allMigrationSets.find((set) => set.service === service);
}
