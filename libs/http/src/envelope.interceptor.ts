import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
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

export const RAW_RESPONSE = 'plystra:raw-response';

/**
 * The handler's return value is the whole body (a provider contract's own JSON, Prometheus
 * text): no `{data}` envelope. Errors still leave through the shared filter.
 */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);

/** Wraps every successful answer: `{data, request_id, meta: {request_id}}`, plus `pagination` for lists. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.getAllAndOverride<boolean>(RAW_RESPONSE, [context.getHandler(), context.getClass()])) return next.handle();
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
