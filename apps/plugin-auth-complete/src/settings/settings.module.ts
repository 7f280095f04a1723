import { type DynamicModule, Global, Module } from '@nestjs/common';
import { SettingsService } from './settings.service';
import { SettingsStore } from './settings.store';

@Global()
@Module({})
export class SettingsModule {
  static forRoot(store: SettingsStore): DynamicModule {
    return {
      module: SettingsModule,
      providers: [{ provide: SettingsStore, useValue: store }, SettingsService],
      exports: [SettingsStore, SettingsService],
    };
  }
}
