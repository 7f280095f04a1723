import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@plystra/http';
import { DataSource } from 'typeorm';
import { LOGGER, PLUGIN_CONFIG } from '../config/plugin-config.module';
import type { PluginConfig } from '../config/plugin-config';

/** Challenges stay this long after they expire (for support and forensics), then go. */
const CHALLENGE_RETENTION = '7 days';
const BATCH = 5000;

/**
 * Keeps the plugin's tables bounded: expired challenges past retention and the plugin's expired
 * rate-limit counters are deleted in batches on a timer. Replicas may overlap harmlessly.
 */
@Injectable()
export class MaintenanceService implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PLUGIN_CONFIG) private readonly config: PluginConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    if (this.config.maintenanceIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.sweep(), this.config.maintenanceIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<{ challenges: number; counters: number }> {
    try {
      const [, challenges] = await this.dataSource.query(
        `DELETE FROM plugin_auth_challenges WHERE id IN (
           SELECT id FROM plugin_auth_challenges WHERE expires_at < now() - interval '${CHALLENGE_RETENTION}' LIMIT ${BATCH})`,
      );
      const [, counters] = await this.dataSource.query(
        `DELETE FROM auth_rate_limits WHERE key IN (
           SELECT key FROM auth_rate_limits WHERE key LIKE 'plugin\\_auth:%' AND expire < $1 LIMIT ${BATCH})`,
        [Date.now()],
      );
      return { challenges: Number(challenges ?? 0), counters: Number(counters ?? 0) };
    } catch (error) {
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'maintenance sweep failed');
      return { challenges: 0, counters: 0 };
    }
  }
}
