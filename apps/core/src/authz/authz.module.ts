import { Module } from '@nestjs/common';
import { ConsoleModule } from '../console/console.module';
import { AuthzAccess } from './authz-access';
import { AuthzActorResolver } from './authz-actor.resolver';
import { AuthzContextRepository } from './authz-context.repository';
import { AuthzController } from './authz.controller';
import { AuthzRegistryCache } from './authz-registry.cache';
import { AuthzService } from './authz.service';
import { DecisionRecorder } from './decision-recorder.service';

@Module({
  imports: [ConsoleModule],
  controllers: [AuthzController],
  providers: [AuthzService, AuthzActorResolver, AuthzContextRepository, AuthzRegistryCache, AuthzAccess, DecisionRecorder],
  exports: [AuthzService],
})
export class AuthzModule {}
