import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { answerClientError } from './client-error';
import { ConfigError, type HttpAdapterName } from './config';
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

export interface ServeOptions {
  /** How the log names the service: `core listening`, `core stopping`. */
  name: string;
  host: string;
  port: number;
  production: boolean;
  /** After the application has closed on a signal (an embedded database to stop, say). */
  onStop?: () => Promise<void>;
}

/**
 * Listens, logs the URL, the mode and the adapter, and on SIGINT or SIGTERM closes the
 * application (draining its requests and its database pool), runs `onStop` and exits.
 */
export async function serve(app: INestApplication, logger: Logger, options: ServeOptions): Promise<void> {
  const port = await listen(app, options.host, options.port);
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  logger.info({ url: `http://${host}:${port}`, mode: options.production ? 'production' : 'development', http_adapter: app.getHttpAdapter().getType() }, `${options.name} listening`);
  const stop = async (signal: string) => {
    logger.info({ signal }, `${options.name} stopping`);
    await app.close();
    await options.onStop?.();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** A service's process entry: a start-up failure is printed (a configuration problem as its message alone) and the process exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
