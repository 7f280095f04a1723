import { DEFAULT_SETTINGS, type LiveSettings, type SettingProblem, applySettingRows } from '@plystra/plugin-auth-settings';

/**
 * The settings every request reads, synchronously: an immutable snapshot replaced as a whole on
 * each reload. Created before the Nest container so the HTTP edge (body limit, trusted proxies)
 * can read it too. Owned by SettingsService, which keeps it fresh.
 */
export class SettingsStore {
  private snapshot: LiveSettings = DEFAULT_SETTINGS;
  private currentProblems: SettingProblem[] = [];
  loadedAt: Date | null = null;
  /** Why the last reload failed (the previous snapshot stays in force), or null. */
  lastLoadError: string | null = null;

  get current(): LiveSettings {
    return this.snapshot;
  }

  get problems(): SettingProblem[] {
    return this.currentProblems;
  }

  apply(rows: Array<{ key: string; value: unknown }>): void {
    const { settings, problems } = applySettingRows(rows, this.snapshot);
    this.snapshot = settings;
    this.currentProblems = problems;
    this.loadedAt = new Date();
    this.lastLoadError = null;
  }
}
