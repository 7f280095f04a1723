import { Controller, Get } from '@nestjs/common';
import { ApiEndpoint } from '@plystra/http';
import { Public } from '../access/access.decorators';
import { SystemService } from './system.service';

@Public()
@Controller()
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @ApiEndpoint('Liveness probe')
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @ApiEndpoint('Readiness probe (database reachable, migrations applied)', 'NOT_READY')
  @Get('ready')
  ready() {
    return this.system.ready();
  }

  @ApiEndpoint('Version of the running service')
  @Get('version')
  version() {
    return this.system.version();
  }
}
