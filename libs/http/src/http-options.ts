import type { Logger } from 'pino';
import type { TrustFn } from './client-ip';

/** What a service tells the shared HTTP edge; functions are read per request (live settings). */
export interface HttpPlatformOptions {
  service: string;
  production: boolean;
  logger: Logger;
  bodyLimitBytes: () => number;
  trustProxy: () => TrustFn;
  corsAllowedOrigins: () => string[];
}

export const HTTP_PLATFORM_OPTIONS = Symbol('HTTP_PLATFORM_OPTIONS');
