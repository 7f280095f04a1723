import { Controller, Get, Header, Req } from '@nestjs/common';
import { RawResponse } from '@plystra/http';
import { Public } from '../access/access.decorators';
import { MetricsExposition, PROMETHEUS_CONTENT_TYPE } from './metrics-exposition.service';

/** Outside /api/v1 (the global prefix excludes it); authenticates itself, see MetricsExposition. */
@Controller()
export class MetricsController {
  constructor(private readonly exposition: MetricsExposition) {}

  @Public()
  @Get('metrics')
  @RawResponse()
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  metrics(@Req() req: unknown): Promise<string> {
    return this.exposition.render(req);
  }
}
