import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../access/access.decorators';
import { MetricsExposition, PROMETHEUS_CONTENT_TYPE } from './metrics-exposition.service';

/** Outside /api/v1 (the global prefix excludes it); authenticates itself, see MetricsExposition. */
@Controller()
export class MetricsController {
  constructor(private readonly exposition: MetricsExposition) {}

  @Public()
  @Get('metrics')
  async metrics(@Req() req: Request, @Res() res: Response): Promise<void> {
    const text = await this.exposition.render(req);
    res.type(PROMETHEUS_CONTENT_TYPE).send(text);
  }
}
