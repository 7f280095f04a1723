import { Controller, Get } from '@nestjs/common';
import { Public } from '../access/access.decorators';
import { SystemService } from './system.service';

@Public()
@Controller()
export class SystemController {
  constructor(private readonly system: SystemService) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  ready() {
    return this.system.ready();
  }

  @Get('version')
  version() {
    return this.system.version();
  }
}
