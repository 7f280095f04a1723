import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { AdminGrantsController } from './admin-grants.controller';
import { AdminGrantsRepository } from './admin-grants.repository';
import { AdminGrantsService } from './admin-grants.service';
import { AdminMeController } from './admin-me.controller';
import { AdminMeService } from './admin-me.service';

@Module({
  imports: [ApiKeysModule],
  controllers: [AdminGrantsController, AdminMeController],
  providers: [AdminGrantsService, AdminGrantsRepository, AdminMeService],
})
export class AdminModule {}
