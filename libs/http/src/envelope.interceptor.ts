import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { requestContextOf } from './request-context';

/** A list answer with real keyset pagination. */
export class Page<T> {
  constructor(
    readonly items: T[],
    readonly limit: number,
    readonly cursor: string | null,
  ) {}
}

/** Wraps every successful answer: `{data, request_id, meta: {request_id}}`, plus `pagination` for lists. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const requestId = requestContextOf(context.switchToHttp().getRequest()).requestId;
    return next.handle().pipe(
      map((data) => {
        if (data instanceof Page) {
          return {
            data: data.items,
            pagination: { limit: data.limit, cursor: data.cursor, has_more: data.cursor !== null },
            request_id: requestId,
            meta: { request_id: requestId },
          };
        }
        return { data: data ?? null, request_id: requestId, meta: { request_id: requestId } };
      }),
    );
  }
}
