import { Controller, Get } from '@nestjs/common';
import { ApiEndpoint } from '@plystra/http';
import { HealthService } from './health.service';

@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @ApiEndpoint('Health probe (database reachable)', 'NOT_READY')
  @Get('health')
  check() {
    return this.health.health();
  }
}
