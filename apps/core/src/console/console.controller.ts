import { Controller, Get } from '@nestjs/common';
import { ApiEndpoint } from '@plystra/http';
import { RequirePermission } from '../access/access.decorators';
import { ConsoleService } from './console.service';

@Controller('console')
export class ConsoleController {
  constructor(private readonly console: ConsoleService) {}

  @ApiEndpoint('Instance overview for the admin console', 'FEATURE_DISABLED')
  @Get('overview')
  @RequirePermission('instance:read')
  overview() {
    return this.console.overview();
  }
}
