import { DataSource, type MigrationInterface } from 'typeorm';

export interface DataSourceOptions {
  url: string;
  /** Pool size; defaults to 10. */
  poolSize?: number;
  migrations?: Array<new () => MigrationInterface>;
  migrationsTableName?: string;
  applicationName?: string;
  /** Milliseconds a statement may run before PostgreSQL cancels it. */
  statementTimeoutMs?: number;
}

/**
 * The one way a service opens PostgreSQL. Schema changes go through versioned migrations only:
 * `synchronize` is never enabled.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    entities: [],
    migrations: options.migrations ?? [],
    migrationsTableName: options.migrationsTableName,
    migrationsTransactionMode: 'each',
    applicationName: options.applicationName ?? 'plystra',
    poolSize: options.poolSize ?? 10,
    extra: {
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
    },
  });
}

/** Opens a DataSource, retrying while PostgreSQL is still starting. */
export async function initializeWithRetry(dataSource: DataSource, attempts = 20, delayMs = 250): Promise<DataSource> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await dataSource.initialize();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  throw lastError;
}
