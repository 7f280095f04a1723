import type { MigrationSet } from '../../libs/db/src';
import { coreMigrations } from '../../migrations/core';
import { pluginAuthCompleteMigrations } from '../../migrations/plugin-auth-complete';

/** Every service's migrations, in the order they apply. */
export const allMigrationSets: MigrationSet[] = [coreMigrations, pluginAuthCompleteMigrations];
