import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from '@plystra/http';
import type { PluginConfig } from './plugin-config';

export const PLUGIN_CONFIG = Symbol('PLUGIN_CONFIG');
export const LOGGER = Symbol('LOGGER');

@Global()
@Module({})
export class PluginConfigModule {
  static forRoot(config: PluginConfig, logger: Logger): DynamicModule {
    return {
      module: PluginConfigModule,
      providers: [
        { provide: PLUGIN_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [PLUGIN_CONFIG, LOGGER],
    };
  }
}
