import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { RegistryController } from './registry.controller';
import { RegistryService } from './registry.service';

/** The resource registry's management API (core.md §5). */
@Module({ imports: [IdentityModule], controllers: [RegistryController], providers: [RegistryService], exports: [RegistryService] })
export class RegistryModule {}
