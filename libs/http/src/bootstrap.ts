import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import { PinoNestLogger } from './logger';

export interface HttpServerLimits {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
}

/**
 * Creates a service's Nest application on the HTTP adapter. The adapter is chosen here and only
 * here; services never touch Express directly.
 */
export async function createHttpApplication(module: unknown, logger: Logger): Promise<INestApplication> {
  const adapter = new ExpressAdapter();
  adapter.getInstance().disable('x-powered-by');
  adapter.getInstance().set('etag', false);
  const app = await NestFactory.create(module as never, adapter, { bodyParser: false, logger: new PinoNestLogger(logger), abortOnError: false });
  return app;
}

/** Starts listening with sane server timeouts; resolves with the bound port. */
export async function listen(app: INestApplication, host: string, port: number, limits: HttpServerLimits = {}): Promise<number> {
  await app.listen(port, host);
  const server = app.getHttpServer() as import('node:http').Server;
  server.headersTimeout = limits.headersTimeoutMs ?? 10_000;
  server.requestTimeout = limits.requestTimeoutMs ?? 30_000;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? 65_000;
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
