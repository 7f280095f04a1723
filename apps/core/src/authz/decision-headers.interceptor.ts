import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { setResponseHeader } from '@plystra/http';
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
    return next.handle().pipe(
      tap((result: DecisionRefs | undefined) => {
        const auditLogId = result?.audit_log_id ?? result?.audit?.audit_log_id;
        if (typeof result?.trace_id === 'string') setResponseHeader(context, 'X-Plystra-Trace-ID', result.trace_id);
        if (typeof auditLogId === 'string') setResponseHeader(context, 'X-Plystra-Audit-Log-ID', auditLogId);
      }),
    );
  }
}
