import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditWriter, createDataSource, initializeWithRetry } from '@plystra/db';
import { DataSource } from 'typeorm';
import { PLUGIN_CONFIG } from '../config/plugin-config.module';
import type { PluginConfig } from '../config/plugin-config';

/** The shared PostgreSQL (Core's database) and the batched writer into Core's `audit_logs`. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [PLUGIN_CONFIG],
      useFactory: (config: PluginConfig) => ({ type: 'postgres' as const, url: config.databaseUrl, synchronize: false, poolSize: config.databasePoolSize }),
      dataSourceFactory: async (options) => {
        const o = options as { url: string; poolSize: number };
        return initializeWithRetry(createDataSource({ url: o.url, poolSize: o.poolSize, applicationName: 'plystra-auth-complete', statementTimeoutMs: 15_000 }));
      },
    }),
  ],
  providers: [{ provide: AuditWriter, inject: [DataSource], useFactory: (ds: DataSource) => new AuditWriter(ds) }],
  exports: [AuditWriter],
})
export class DatabaseModule {}
