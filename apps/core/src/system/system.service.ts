import { Inject, Injectable } from '@nestjs/common';
import { migrationStatus } from '@plystra/db';
import { ApiError } from '@plystra/http';
import { coreMigrations } from '@plystra/migrations-core';
import { DataSource } from 'typeorm';
import { CORE_CONFIG } from '../config/core-config.module';
import type { CoreConfig } from '../config/core-config';

export const TRACE_VERSION = '1.0';

@Injectable()
export class SystemService {
  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly dataSource: DataSource,
  ) {}

  private async schema() {
    const status = await migrationStatus(this.dataSource, coreMigrations);
    return { status, schema_version: status.current, expected_schema_version: status.expected };
  }

  /** 503 NOT_READY when the database is unreachable or its schema is not the one this build expects. */
  async ready() {
    let schema;
    try {
      schema = await this.schema();
    } catch {
      throw ApiError.of('NOT_READY', 'The database is not reachable.');
    }
    const { status, ...versions } = schema;
    if (status.pending.length || status.unknown.length) {
      throw new ApiError(503, 'NOT_READY', 'The database schema does not match this build.', { pending: status.pending, unknown: status.unknown });
    }
    return { status: 'ready', ...versions, trace_version: TRACE_VERSION };
  }

  async version() {
    let versions: { schema_version: string | null; expected_schema_version: string | null } = {
      schema_version: null,
      expected_schema_version: coreMigrations.migrations.at(-1)?.name ?? null,
    };
    try {
      const { status: _status, ...v } = await this.schema();
      versions = v;
    } catch {
      // The version answer never depends on the database being up.
    }
    return { core_version: this.config.coreVersion, api_version: 'v1', ...versions, trace_version: TRACE_VERSION };
  }
}
