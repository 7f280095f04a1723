import { Controller, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { AuthzCheckResult } from '@plystra/sdk';
import { PLYSTRA_DECISION, PlystraGuard, RequirePlystraPermission } from '@plystra/sdk/nest';
import type { AppRequest } from './current-actor';
import { InvoicesService } from './invoices.service';

@Controller('invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  /** One Plystra check before the mutation: on deny the handler never runs (403 with the trace id). */
  @Post(':id/approve')
  @UseGuards(PlystraGuard)
  @RequirePlystraPermission<AppRequest>('invoice', 'approve', (req) => req.params.id)
  approve(@Param('id') id: string, @Req() req: AppRequest & { [PLYSTRA_DECISION]?: AuthzCheckResult }) {
    const invoice = this.invoices.approve(id);
    // Keep the audit reference with the business record, so both tell the same story.
    return { invoice, authorization: { trace_id: req[PLYSTRA_DECISION]?.trace_id, audit_log_id: req[PLYSTRA_DECISION]?.audit_log_id } };
  }
}
