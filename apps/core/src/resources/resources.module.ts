import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { ResourcesController } from './resources.controller';
import { ResourcesService } from './resources.service';

/** The governed-resource mirror's management API (core.md §5). */
@Module({ imports: [IdentityModule], controllers: [ResourcesController], providers: [ResourcesService] })
export class ResourcesModule {}
