import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { type Observable, tap } from 'rxjs';

interface DecisionRefs {
  trace_id?: unknown;
  audit_log_id?: unknown;
  audit?: { audit_log_id?: unknown };
}

/** Puts a single decision's references in `X-Plystra-Trace-ID` and `X-Plystra-Audit-Log-ID`. */
@Injectable()
export class DecisionHeadersInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      tap((result: DecisionRefs | undefined) => {
        const auditLogId = result?.audit_log_id ?? result?.audit?.audit_log_id;
        if (typeof result?.trace_id === 'string') res.setHeader('X-Plystra-Trace-ID', result.trace_id);
        if (typeof auditLogId === 'string') res.setHeader('X-Plystra-Audit-Log-ID', auditLogId);
      }),
    );
  }
}
