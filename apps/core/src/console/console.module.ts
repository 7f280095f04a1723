import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';
import { ConsoleService } from './console.service';
import { MetricsController } from './metrics.controller';
import { MetricsExposition } from './metrics-exposition.service';
import { MetricsService } from './metrics.service';

@Module({
  controllers: [ConsoleController, MetricsController],
  providers: [ConsoleService, MetricsService, MetricsExposition],
  exports: [MetricsService],
})
export class ConsoleModule {}
