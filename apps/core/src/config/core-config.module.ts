import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from '@plystra/http';
import type { CoreConfig } from './core-config';

export const CORE_CONFIG = Symbol('CORE_CONFIG');
export const LOGGER = Symbol('LOGGER');

@Global()
@Module({})
export class CoreConfigModule {
  static forRoot(config: CoreConfig, logger: Logger): DynamicModule {
    return {
      module: CoreConfigModule,
      providers: [
        { provide: CORE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [CORE_CONFIG, LOGGER],
    };
  }
}
