import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@plystra/http';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { LOGGER, PLUGIN_CONFIG } from '../config/plugin-config.module';
import type { PluginConfig } from '../config/plugin-config';
import { settingWriteProblem } from '@plystra/plugin-auth-settings';
import { SettingsStore } from './settings.store';

export const SETTINGS_CHANNEL = 'plugin_auth_settings_changed';

/**
 * Keeps the SettingsStore in step with `plugin_auth_settings` on every replica: LISTEN on the
 * channel the table's trigger NOTIFYs (a change applies within milliseconds), and a re-read every
 * `settingsRefreshMs` (1 s) as the fallback when a notification is lost or the listener is down.
 */
@Injectable()
export class SettingsService implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private listener: Client | null = null;
  private listenerStarting = false;
  private inFlight: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastWarnedAt = 0;

  constructor(
    readonly store: SettingsStore,
    private readonly dataSource: DataSource,
    @Inject(PLUGIN_CONFIG) private readonly config: PluginConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    if (this.config.settingsListen) await this.startListener();
    this.timer = setInterval(() => {
      void this.reload();
      if (this.config.settingsListen && !this.listener) void this.startListener();
    }, this.config.settingsRefreshMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.inFlight?.catch(() => undefined);
  }

  /** Re-reads every row; concurrent calls share one read, and a call during a read queues one more. */
  reload(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      try {
        do {
          this.again = false;
          await this.readOnce();
        } while (this.again && !this.stopped);
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  private async readOnce(): Promise<void> {
    try {
      const rows: Array<{ key: string; value: unknown }> = await this.dataSource.query(`SELECT key, value FROM plugin_auth_settings ORDER BY key`);
      const before = JSON.stringify(this.store.problems);
      this.store.apply(rows);
      if (this.store.problems.length && JSON.stringify(this.store.problems) !== before) {
        this.logger.warn({ problems: this.store.problems }, 'plugin_auth_settings has values that are not valid; the last good values stay in force');
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // One warning per outage (and one a minute while it lasts), not one per re-read.
      if (!this.stopped && (this.store.lastLoadError !== message || Date.now() - this.lastWarnedAt > 60_000)) {
        this.lastWarnedAt = Date.now();
        this.logger.warn({ err: message }, 'could not read plugin_auth_settings; the previous values stay in force');
      }
      this.store.lastLoadError = message;
    }
  }

  private async startListener(): Promise<void> {
    if (this.listenerStarting || this.stopped) return;
    this.listenerStarting = true;
    const options = this.dataSource.driver.options as { url?: string };
    const client = new Client({ connectionString: options.url, application_name: 'plystra-auth-settings-listener' });
    try {
      client.on('notification', () => void this.reload());
      client.on('error', (error) => {
        this.logger.warn({ err: error.message }, 'settings listener lost its connection; re-reading on a timer until it is back');
        if (this.listener === client) this.listener = null;
        void client.end().catch(() => undefined);
      });
      await client.connect();
      await client.query(`LISTEN ${SETTINGS_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.listener = client;
      // A change made while the listener was down would otherwise wait for the timer.
      void this.reload();
    } catch (error) {
      await client.end().catch(() => undefined);
      this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not LISTEN for settings changes; re-reading on a timer');
    } finally {
      this.listenerStarting = false;
    }
  }

  /** Writes one setting, refusing secret-looking or unknown keys and invalid values. */
  async set(key: string, value: unknown, updatedBy: string): Promise<void> {
    const problem = settingWriteProblem(key, value);
    if (problem) throw new Error(problem);
    await this.dataSource.query(
      `INSERT INTO plugin_auth_settings (key, value, updated_by) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by`,
      [key, JSON.stringify(value), updatedBy],
    );
    await this.reload();
  }
}
