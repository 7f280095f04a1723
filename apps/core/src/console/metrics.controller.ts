import { Controller, Get, Header, Req } from '@nestjs/common';
import { API_KEY_SCHEME, ApiCredentials, ApiEndpoint, BEARER_SCHEME, METRICS_TOKEN_SCHEME, RawResponse } from '@plystra/http';
import { Public } from '../access/access.decorators';
import { MetricsExposition, PROMETHEUS_CONTENT_TYPE } from './metrics-exposition.service';

/** Outside /api/v1 (the global prefix excludes it); authenticates itself, see MetricsExposition. */
@Controller()
export class MetricsController {
  constructor(private readonly exposition: MetricsExposition) {}

  @Public()
  @ApiCredentials(METRICS_TOKEN_SCHEME, BEARER_SCHEME, API_KEY_SCHEME)
  @ApiEndpoint('Prometheus metrics (outside /api/v1)', 'METRICS_TOKEN_REQUIRED', 'FEATURE_DISABLED')
  @Get('metrics')
  @RawResponse()
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  metrics(@Req() req: unknown): Promise<string> {
    return this.exposition.render(req);
  }
}
