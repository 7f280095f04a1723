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
      /** @type {{ parts: Record<string, { line: string; ok: boolean }> }} */
      const figures = JSON.parse(readFileSync(file, 'utf8'));
      const parts = Object.values(figures.parts);
      const ok = parts.every((p) => p.ok);
      lines.push(`  ${area}: ${parts.map((p) => p.line).join('; ')}${ok ? '' : '  <-- FAILED'}`);
    }
    lines.push(`  (process logs and figures: ${dir})`, '');
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

module.exports = ReliabilitySummaryReporter;
