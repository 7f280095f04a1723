import pino, { type Logger, type LevelWithSilent } from 'pino';
import type { LoggerService } from '@nestjs/common';

export type { Logger } from 'pino';

/** Keys whose values are never written to a log line, at any of the first levels of nesting. */
const SECRET_KEYS = [
  'authorization', 'cookie', 'set-cookie', 'x-plystra-api-key', 'x-plystra-metrics-token', 'x-metrics-token',
  'password', 'new_password', 'password_hash', 'token', 'access_token', 'refresh_token', 'code', 'api_key', 'key_hash',
  'secret', 'registration_token', 'capability_token', 'smtp_password',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => {
  const k = /^[a-z_]+$/.test(key) ? key : `["${key}"]`;
  const dot = k.startsWith('[') ? '' : '.';
  return [k, `*${dot}${k}`, `*.*${dot}${k}`, `req.headers${dot}${k}`];
});

export interface LoggerOptions {
  service: string;
  level?: string;
  format?: 'json' | 'text';
  /** Where lines go; defaults to stdout. Tests pass a stream to scan what was logged. */
  destination?: { write(line: string): void };
}

function textDestination(target: { write(line: string): void }) {
  return {
    write(line: string) {
      const { level, time, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const fields = Object.entries(rest)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value)}`)
        .join(' ');
      target.write(`${new Date(Number(time)).toISOString()} ${pino.levels.labels[Number(level)] ?? level} ${msg ?? ''} ${fields}\n`);
    },
  };
}

/** JSON (or key=value) logs with secrets redacted by key. */
export function createLogger(options: LoggerOptions): Logger {
  const target = options.destination ?? process.stdout;
  return pino(
    {
      level: (options.level ?? 'info') as LevelWithSilent,
      base: { service: options.service },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    options.format === 'text' ? textDestination(target) : target,
  );
}

/** Routes NestJS's own messages into the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, stack: trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
