/**
 * What every benchmark section hands to `bench/main.ts`, which prints one table and writes
 * BENCHMARKS.md. A section measures, then returns figures, targets and findings; it never prints
 * the final table itself.
 */

/** Shared by every section of one `npm run bench`. */
export interface BenchContext {
  /** A scratch folder for this run (plans, profiles, logs). */
  work: string;
  /** Seconds per timed load run (saturation or fixed rate); sections may scale it. */
  seconds: number;
  /** Interleaved repeats per system; the median is reported. */
  rounds: number;
  /** BENCH_QUICK=1: a smoke run with tiny data and 1-second loads, to check the wiring only. */
  quick: boolean;
  /** Progress to stderr; never part of the table. */
  log(message: string): void;
}

/** One measured figure of one system. */
export interface BenchRow {
  /** e.g. "authz check", "password login", "email code flow". */
  workload: string;
  /** e.g. "Plystra Core (Express, audit always)", "node-casbin 5 (NestJS)", "Cerbos 0.55". */
  system: string;
  /** e.g. "checks/s at saturation", "p99 at half floor rate". */
  metric: string;
  value: number;
  /** e.g. "req/s", "ms", "MB". */
  unit: string;
  /** Ratio to the workload's reference (the floor, or Plystra), when one applies: 0.62 means 62%. */
  ratio?: number;
  /** What the ratio is against, e.g. "Express floor". */
  ratioTo?: string;
  note?: string;
}

/** A target from the issue, with PASS/MISS. */
export interface BenchTarget {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface SectionResult {
  title: string;
  rows: BenchRow[];
  targets: BenchTarget[];
  /** Same-answers check result, e.g. "2,000 checks: Core, casbin and Cerbos agree on all (1,204 allow, 796 deny)". */
  sameAnswers?: string;
  /** How the comparison was made fair (hash cost equalised, hashed tokens, …), and what was found when profiling a miss. */
  notes: string[];
}

export type BenchSection = (ctx: BenchContext) => Promise<SectionResult>;

export const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;
