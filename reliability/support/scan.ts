import { recordFigure } from './figures';
import { startedServices } from './services';

/**
 * Whether a secret occurs in a text: a six-digit code only as a whole word (not inside a hex id or
 * another token, and not as the microseconds of a timestamp such as `12:03:05.123456+00:00`, where
 * six digits in a row happen by chance), anything else as a substring.
 */
export function occurs(haystack: string, secret: string): boolean {
  return /^\d{6}$/.test(secret) ? new RegExp(`(?<![0-9A-Za-z.])${secret}(?![0-9A-Za-z])`).test(haystack) : haystack.includes(secret);
}

/** The labels of the secrets found in a text. */
export function hitsIn(haystack: string, secrets: Map<string, string>): string[] {
  return [...secrets].filter(([secret]) => secret && occurs(haystack, secret)).map(([, label]) => label);
}

/**
 * Scans everything the processes of this test file wrote for the given secrets and records the
 * figure under the secrets area (its headline sums every file's scan).
 */
export function scanProcessOutputs(key: string, what: string, secrets: Map<string, string>, extra: Array<{ name: string; text: string }> = []): { hits: string[]; bytes: number } {
  const outputs = [...startedServices().map((s) => ({ name: s.name, text: s.output() })), ...extra];
  const bytes = outputs.reduce((n, o) => n + Buffer.byteLength(o.text), 0);
  const hits = outputs.flatMap((o) => hitsIn(o.text, secrets).map((label) => `${label} in ${o.name}`));
  recordFigure('secrets', key, `${what}: ${hits.length} hits of ${secrets.size} secrets in ${bytes} bytes from ${outputs.length} outputs`, hits.length === 0, { hits: hits.length, bytes });
  return { hits, bytes };
}
