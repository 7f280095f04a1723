import type { MigrationSet } from '@plystra/db';
import { coreMigrations } from '../core';
import { CreatePluginAuthSettings1765000000000 } from './1765000000000-create-plugin-auth-settings';
import { CreatePluginAuthChallenges1765000000100 } from './1765000000100-create-plugin-auth-challenges';

export { PLUGIN_AUTH_SETTING_DEFAULTS } from './1765000000000-create-plugin-auth-settings';

/**
 * The auth plugin's versioned migrations: only `plugin_auth_*` tables, applied after Core's
 * (runMigrations refuses with a clear message when Core's schema is missing or behind).
 */
export const pluginAuthCompleteMigrations: MigrationSet = {
  service: 'plugin-auth-complete',
  tableName: 'plugin_auth_migrations',
  migrations: [CreatePluginAuthSettings1765000000000, CreatePluginAuthChallenges1765000000100],
  requires: [coreMigrations],
};
