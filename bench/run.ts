import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext, BenchSection, SectionResult } from './report';
import { table } from './support';

/**
 * The run's settings, from the environment: BENCH_SECONDS (5; seconds per timed load run),
 * BENCH_ROUNDS (3; interleaved repeats, the median is reported), BENCH_QUICK=1 (a smoke run of
 * the wiring: tiny data, 1-second loads, 1 round; its figures mean nothing).
 */
export function benchContextFromEnv(): BenchContext {
  const quick = process.env.BENCH_QUICK === '1';
  const number = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
    return value;
  };
  return {
    work: mkdtempSync(join(tmpdir(), 'plystra-bench-')),
    seconds: quick ? 1 : number('BENCH_SECONDS', 5),
    rounds: quick ? 1 : number('BENCH_ROUNDS', 3),
    quick,
    log: (message) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`),
  };
}

const figure = (value: number, unit: string) => `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${unit}`;

/** One section as Markdown: its figures, its targets, the same-answers check and the notes. */
export function renderSection(result: SectionResult): string {
  const parts = [`### ${result.title}`, ''];
  if (result.sameAnswers) parts.push(`Same answers: ${result.sameAnswers}`, '');
  if (result.rows.length) {
    parts.push(
      table(
        result.rows.map((row) => ({
          workload: row.workload,
          system: row.system,
          metric: row.metric,
          value: figure(row.value, row.unit),
          ratio: row.ratio === undefined ? '' : `${(row.ratio * 100).toFixed(0)}% of ${row.ratioTo ?? 'reference'}`,
          note: row.note ?? '',
        })),
      ),
      '',
    );
  }
  if (result.targets.length) parts.push(renderTargets(result.targets), '');
  if (result.notes.length) parts.push(...result.notes.map((note) => `- ${note}`), '');
  return parts.join('\n');
}

export function renderTargets(targets: SectionResult['targets']): string {
  return table(targets.map((t) => ({ target: t.name, needed: t.target, measured: t.measured, verdict: t.pass ? 'PASS' : 'MISS' })));
}

/** `node dist/bench/<name>.section.js`: one section alone, printed as Markdown. */
export function runStandalone(section: BenchSection): void {
  const ctx = benchContextFromEnv();
  section(ctx)
    .then((result) => {
      console.log(`\n${renderSection(result)}`);
      rmSync(ctx.work, { recursive: true, force: true });
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
