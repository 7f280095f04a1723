import type { MigrationSet } from '@plystra/db';
import { CreateIdentity1764000000000 } from './1764000000000-create-identity';
import { CreateAuthorizationGraph1764000000100 } from './1764000000100-create-authorization-graph';
import { CreateRegistryAndResources1764000000200 } from './1764000000200-create-registry-and-resources';
import { CreateAuditLogs1764000000300 } from './1764000000300-create-audit-logs';
import { CreateSessionsAndCredentials1764000000400 } from './1764000000400-create-sessions-and-credentials';
import { AddManagementListIndexes1764000001000 } from './1764000001000-add-management-list-indexes';
import { CreateAuthzRegistryVersion1764000002000 } from './1764000002000-create-authz-registry-version';
import { ConstrainAdminGrantsAndApiKeys1764000003000 } from './1764000003000-constrain-admin-grants-and-api-keys';
import { CreateApiKeyVersion1764000005000 } from './1764000005000-create-api-key-version';
import { CompressAuditTracesWithLz41764000006000 } from './1764000006000-compress-audit-traces-with-lz4';
import { CoverMemberRoleCandidates1764000007000 } from './1764000007000-cover-member-role-candidates';

/** Core's versioned migrations, in order. Append new ones at the end; never edit an applied one. */
export const coreMigrations: MigrationSet = {
  service: 'core',
  tableName: 'core_migrations',
  migrations: [
    CreateIdentity1764000000000,
    CreateAuthorizationGraph1764000000100,
    CreateRegistryAndResources1764000000200,
    CreateAuditLogs1764000000300,
    CreateSessionsAndCredentials1764000000400,
    AddManagementListIndexes1764000001000,
    CreateAuthzRegistryVersion1764000002000,
    ConstrainAdminGrantsAndApiKeys1764000003000,
    CreateApiKeyVersion1764000005000,
    CompressAuditTracesWithLz41764000006000,
    CoverMemberRoleCandidates1764000007000,
  ],
};
