import { Controller, Get } from '@nestjs/common';
import { RequirePermission } from '../access/access.decorators';
import { ConsoleService } from './console.service';

@Controller('console')
export class ConsoleController {
  constructor(private readonly console: ConsoleService) {}

  @Get('overview')
  @RequirePermission('instance:read')
  overview() {
    return this.console.overview();
  }
}
