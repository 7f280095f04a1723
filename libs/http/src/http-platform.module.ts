import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter';
import { EdgeMiddleware } from './edge.middleware';
import { EnvelopeInterceptor } from './envelope.interceptor';
import { HTTP_PLATFORM_OPTIONS, type HttpPlatformOptions } from './http-options';
import { StrictValidationPipe } from './validation.pipe';

/**
 * The HTTP conventions every service shares, registered as module providers so that a test that
 * builds a service's module gets exactly what production runs.
 */
@Module({})
export class HttpPlatformModule implements NestModule {
  static forRoot(options: HttpPlatformOptions): DynamicModule {
    return {
      module: HttpPlatformModule,
      global: true,
      providers: [
        { provide: HTTP_PLATFORM_OPTIONS, useValue: options },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useClass: StrictValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        EdgeMiddleware,
      ],
      exports: [HTTP_PLATFORM_OPTIONS],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(EdgeMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
