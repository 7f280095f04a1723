import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, headerOf, bearerToken } from '@plystra/http';
import { API_KEY_PREFIX } from '@plystra/session';
import { AccessPolicy } from '../access/access-policy.service';
import { CredentialService } from '../access/credential.service';
import { CORE_CONFIG } from '../config/core-config.module';
import type { CoreConfig } from '../config/core-config';
import { MetricsService } from './metrics.service';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const METRICS_READ = 'metrics:read';

function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * GET /metrics (core.md §5): 404 FEATURE_DISABLED unless METRICS_ENABLED; then either the
 * METRICS_TOKEN (X-Plystra-Metrics-Token, X-Metrics-Token or a bearer) or a credential holding
 * metrics:read. The route is public because its authentication is its own.
 */
@Injectable()
export class MetricsExposition {
  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly metrics: MetricsService,
    private readonly credentials: CredentialService,
    private readonly policy: AccessPolicy,
  ) {}

  async render(req: unknown): Promise<string> {
    if (!this.config.metricsEnabled) throw ApiError.of('FEATURE_DISABLED', 'Metrics are disabled (METRICS_ENABLED=false).');
    if (!this.tokenMatches(req)) await this.assertCredential(req);
    return this.metrics.render();
  }

  private tokenMatches(req: unknown): boolean {
    const expected = this.config.metricsToken;
    if (!expected) return false;
    const bearer = bearerToken(req);
    const given = [headerOf(req, 'x-plystra-metrics-token'), headerOf(req, 'x-metrics-token'), bearer?.startsWith(API_KEY_PREFIX) ? undefined : bearer];
    return given.some((value) => value !== undefined && sameSecret(value.trim(), expected));
  }

  private async assertCredential(req: unknown): Promise<void> {
    const presented = headerOf(req, 'x-plystra-api-key') !== undefined || bearerToken(req) !== undefined;
    if (!presented) throw ApiError.of('METRICS_TOKEN_REQUIRED', 'A metrics token or a credential with metrics:read is required.');
    const principal = await this.credentials.authenticate(req);
    await this.policy.assert(principal, { permission: METRICS_READ });
  }
}
