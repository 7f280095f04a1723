import { Injectable } from '@nestjs/common';

type Labels = Record<string, string>;

/** A Prometheus counter, optionally labelled. */
class Counter {
  private readonly series = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    const entry = this.series.get(key);
    if (entry) entry.value += by;
    else this.series.set(key, { labels, value: by });
  }

  value(labels: Labels = {}): number {
    return this.series.get(Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.series.size === 0) lines.push(`${this.name} 0`);
    for (const { labels, value } of this.series.values()) lines.push(`${this.name}${renderLabels(labels)} ${value}`);
    return lines.join('\n');
  }
}

function renderLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/**
 * The few counters Core exposes at /metrics, in the Prometheus text format. Per process, as
 * Prometheus expects: each replica is scraped on its own and the server sums them.
 */
@Injectable()
export class MetricsService {
  readonly checks = new Counter('authz_checks_total', 'Authorization decisions answered, by decision.');
  readonly denies = new Counter('authz_denies_total', 'Authorization decisions that denied, by deny code.');
  readonly auditWritten = new Counter('audit_logs_written_total', 'Decision audit rows committed.');
  readonly auditFailures = new Counter('audit_write_failures_total', 'Decisions refused because their audit row could not be written.');
  private readonly startedAt = Date.now();

  render(): string {
    const counters = [this.checks, this.denies, this.auditWritten, this.auditFailures].map((c) => c.render());
    const uptime = ['# HELP process_uptime_seconds Seconds since this Core process started.', '# TYPE process_uptime_seconds gauge', `process_uptime_seconds ${((Date.now() - this.startedAt) / 1000).toFixed(3)}`];
    return `${[...counters, uptime.join('\n')].join('\n')}\n`;
  }
}
