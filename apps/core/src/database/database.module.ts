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
      useFactory: (config: CoreConfig) => ({ type: 'postgres' as const, url: config.databaseUrl, synchronize: false, poolSize: config.databasePoolSize }),
      dataSourceFactory: async (options) => {
        const { url, poolSize } = options as { url: string; poolSize: number };
        return initializeWithRetry(createDataSource({ url, poolSize, applicationName: 'plystra-core' }));
      },
    }),
  ],
  providers: [{ provide: AuditWriter, inject: [DataSource], useFactory: (ds: DataSource) => new AuditWriter(ds) }],
  exports: [AuditWriter],
})
export class DatabaseModule {}
