import { Inject, Injectable } from '@nestjs/common';
import { migrationStatus } from '@plystra/db';
import { ApiError } from '@plystra/http';
import { coreMigrations } from '@plystra/migrations-core';
import { pluginAuthCompleteMigrations } from '@plystra/migrations-plugin-auth-complete';
import { DataSource } from 'typeorm';
import { PLUGIN_CONFIG } from '../config/plugin-config.module';
import type { PluginConfig } from '../config/plugin-config';
import { EmailDeliveryService } from '../delivery/email-delivery.service';
import { SettingsStore } from '../settings/settings.store';

interface Check {
  ok: boolean;
  [detail: string]: unknown;
}

/**
 * Liveness and readiness: the database answers, Core's and the plugin's schemas are current, and
 * email delivery is configured sanely. Settings with bad values are reported (the last good values
 * are in force), which degrades but does not fail the service.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: SettingsStore,
    private readonly delivery: EmailDeliveryService,
    @Inject(PLUGIN_CONFIG) private readonly config: PluginConfig,
  ) {}

  async health() {
    const checks: Record<'database' | 'schema' | 'delivery' | 'settings', Check> = {
      database: { ok: false },
      schema: { ok: false },
      delivery: { ok: false },
      settings: { ok: false },
    };
    try {
      const [core, plugin] = await Promise.all([migrationStatus(this.dataSource, coreMigrations), migrationStatus(this.dataSource, pluginAuthCompleteMigrations)]);
      checks.database = { ok: true };
      const current = (s: typeof core) => s.pending.length === 0 && s.unknown.length === 0;
      checks.schema = {
        ok: current(core) && current(plugin),
        plugin: { current: plugin.current, expected: plugin.expected, pending: plugin.pending, unknown: plugin.unknown },
        core: { current: core.current, expected: core.expected, pending: core.pending, unknown: core.unknown },
      };
    } catch {
      checks.database = { ok: false, problem: 'the database is not reachable' };
      checks.schema = { ok: false, problem: 'unknown: the database is not reachable' };
    }
    const deliveryProblems = this.delivery.problems();
    checks.delivery = { ok: deliveryProblems.length === 0, mode: this.settings.current.emailDeliveryMode, problems: deliveryProblems };
    checks.settings = {
      ok: this.settings.problems.length === 0 && this.settings.lastLoadError === null,
      loaded_at: this.settings.loadedAt?.toISOString() ?? null,
      problems: this.settings.problems,
      ...(this.settings.lastLoadError ? { load_error: 'the last re-read failed; the previous values are in force' } : {}),
    };
    const ready = checks.database.ok && checks.schema.ok && checks.delivery.ok;
    const body = { status: ready ? (checks.settings.ok ? 'ok' : 'degraded') : 'unavailable', mode: this.config.production ? 'production' : 'development', checks };
    if (!ready) throw new ApiError(503, 'NOT_READY', 'The auth plugin is not ready.', body);
    return body;
  }
}
