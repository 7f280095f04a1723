import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Area = 'bad-input' | 'races' | 'faults' | 'replicas' | 'secrets';

/** The run folder (set by reliability/jest.config.js): figures, and every spawned process's output. */
export function runDir(): string {
  const dir = process.env.PLYSTRA_RELIABILITY_RUN_DIR;
  if (!dir) throw new Error('PLYSTRA_RELIABILITY_RUN_DIR is not set: run the suite with `jest -c reliability/jest.config.js`');
  return dir;
}

/**
 * Records one measured figure of an area for the end-of-run summary. `key` orders nothing: parts
 * print in the order they were first recorded, so record the headline first.
 */
export function recordFigure(area: Area, key: string, line: string, ok: boolean, counts?: { hits: number; bytes: number }): void {
  const file = join(runDir(), `${area}.json`);
  const figures: { parts: Record<string, { line: string; ok: boolean; hits?: number; bytes?: number }> } = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { parts: {} };
  figures.parts[key] = { line, ok, ...counts };
  writeFileSync(file, JSON.stringify(figures, null, 2));
}
