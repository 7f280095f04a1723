import type { ContractTestServer } from '@plystra/email-contract/testing';

interface SentBody {
  to?: Array<{ address: string }>;
  text?: string;
  metadata?: Record<string, string>;
}

/** The messages the contract test server received for one address, oldest first. */
export function mailTo(provider: ContractTestServer, address: string): SentBody[] {
  return provider.requests.map((r) => r.body as SentBody).filter((b) => b && typeof b === 'object' && b.to?.some((t) => t.address === address));
}

/** The six-digit code of the newest message to `address`. */
export function lastCode(provider: ContractTestServer, address: string): string {
  const text = mailTo(provider, address).at(-1)?.text ?? '';
  const code = /sign-in code is (\d{6})\./.exec(text)?.[1];
  if (!code) throw new Error(`no code was sent to ${address}`);
  return code;
}

/** The magic-link token of the newest message to `address`. */
export function lastMagicToken(provider: ContractTestServer, address: string): string {
  const text = mailTo(provider, address).at(-1)?.text ?? '';
  const token = /[?&]token=(ply_ml_[0-9a-f]{64})/.exec(text)?.[1];
  if (!token) throw new Error(`no link was sent to ${address}`);
  return token;
}

/** Every secret (codes, link tokens) in every message the server received. */
export function secretsInMail(provider: ContractTestServer): string[] {
  const out: string[] = [];
  for (const r of provider.requests) {
    const text = (r.body as SentBody)?.text ?? '';
    for (const m of text.matchAll(/sign-in code is (\d{6})\./g)) out.push(m[1]);
    for (const m of text.matchAll(/token=(ply_ml_[0-9a-f]{64})/g)) out.push(m[1]);
  }
  return out;
}
