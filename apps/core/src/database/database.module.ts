import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditWriter, createDataSource, initializeWithRetry } from '@plystra/db';
import { DataSource } from 'typeorm';
import { CORE_CONFIG } from '../config/core-config.module';
import type { CoreConfig } from '../config/core-config';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [CORE_CONFIG],
      useFactory: (config: CoreConfig) => ({ type: 'postgres' as const, url: config.databaseUrl, synchronize: false }),
      dataSourceFactory: async (options) =>
        initializeWithRetry(createDataSource({ url: (options as { url: string }).url, poolSize: 10, applicationName: 'plystra-core' })),
    }),
  ],
  providers: [{ provide: AuditWriter, inject: [DataSource], useFactory: (ds: DataSource) => new AuditWriter(ds) }],
  exports: [AuditWriter],
})
export class DatabaseModule {}
