// @ts-check
// Prints the suite's figures, one line per area, after every test file has finished (the specs
// write them to the run folder as they measure). An area whose spec did not run, or did not get
// as far as its figure, says so instead of staying silent.
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const AREAS = ['bad-input', 'races', 'faults', 'replicas', 'secrets'];

class ReliabilitySummaryReporter {
  onRunComplete() {
    const dir = process.env.PLYSTRA_RELIABILITY_RUN_DIR;
    if (!dir) return;
    const lines = ['', 'reliability summary:'];
    for (const area of AREAS) {
      const file = join(dir, `${area}.json`);
      if (!existsSync(file)) {
        lines.push(`  ${area}: not measured in this run`);
        continue;
      }
      /** @type {{ parts: Record<string, { line: string; ok: boolean; hits?: number; bytes?: number }> }} */
      const figures = JSON.parse(readFileSync(file, 'utf8'));
      // Secret scans are written by every spec file: the headline sums them all.
      const scans = Object.values(figures.parts).filter((p) => typeof p.hits === 'number' && typeof p.bytes === 'number');
      if (scans.length) {
        const hits = scans.reduce((n, p) => n + (p.hits ?? 0), 0);
        const bytes = scans.reduce((n, p) => n + (p.bytes ?? 0), 0);
        figures.parts.headline = { line: `${hits} hits in ${bytes} bytes`, ok: Object.entries(figures.parts).every(([key, p]) => key === 'headline' || p.ok) };
      }
      // The headline (the figure the area promises) first, then the parts in the order measured.
      const parts = Object.entries(figures.parts).sort(([a], [b]) => Number(b === 'headline') - Number(a === 'headline')).map(([, part]) => part);
      const ok = parts.every((p) => p.ok);
      lines.push(`  ${area}: ${parts.map((p) => p.line).join('; ')}${ok ? '' : '  <-- FAILED'}`);
    }
    lines.push(`  (process logs and figures: ${dir})`, '');
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

module.exports = ReliabilitySummaryReporter;
