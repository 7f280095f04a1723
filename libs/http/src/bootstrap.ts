import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { answerClientError } from './client-error';
import type { HttpAdapterName } from './config';
import { createExpressAdapter } from './express.adapter';
import { createFastifyAdapter } from './fastify.adapter';
import { PinoNestLogger } from './logger';

export { answerClientError } from './client-error';

export interface HttpServerLimits {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
}

export interface HttpApplicationOptions {
  /** Express (the default) or Fastify: `PLYSTRA_HTTP_ADAPTER`, validated by each service's config. */
  adapter?: HttpAdapterName;
  preview?: boolean;
}

/**
 * Creates a service's Nest application on the HTTP adapter. The adapter is chosen here and only
 * here (express.adapter.ts, fastify.adapter.ts); services never touch Express or Fastify
 * directly, and both answer alike. `preview` builds the module graph without instantiating any
 * provider (no database connection): enough to describe the routes.
 */
export async function createHttpApplication(module: unknown, logger: Logger, options: HttpApplicationOptions = {}): Promise<INestApplication> {
  const adapter = options.adapter === 'fastify' ? createFastifyAdapter() : createExpressAdapter();
  const app = await NestFactory.create(module as never, adapter, { bodyParser: false, logger: new PinoNestLogger(logger), abortOnError: false, preview: options.preview });
  return app;
}

/**
 * Initialises the application and makes it ready to answer: Fastify registers its routes only
 * when it is ready, which `listen` would do but a test driving the bare server would not.
 */
export async function initHttpApplication(app: INestApplication): Promise<INestApplication> {
  await app.init();
  const adapter = app.getHttpAdapter();
  if (adapter.getType() === 'fastify') await (adapter.getInstance() as { ready(): Promise<unknown> }).ready();
  return app;
}

/** Starts listening with sane server timeouts; resolves with the bound port. */
export async function listen(app: INestApplication, host: string, port: number, limits: HttpServerLimits = {}): Promise<number> {
  await app.listen(port, host);
  const server = app.getHttpServer() as import('node:http').Server;
  server.headersTimeout = limits.headersTimeoutMs ?? 10_000;
  server.requestTimeout = limits.requestTimeoutMs ?? 30_000;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? 65_000;
  // Fastify installs answerClientError itself (its clientErrorHandler option, see fastify.adapter.ts).
  if (app.getHttpAdapter().getType() !== 'fastify') server.on('clientError', answerClientError);
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
