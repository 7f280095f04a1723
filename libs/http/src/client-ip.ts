import proxyAddr from 'proxy-addr';
import type { IncomingMessage } from 'node:http';

export type TrustFn = (address: string, hop: number) => boolean;

/**
 * Compiles TRUSTED_PROXIES (IPs and CIDRs). The client address is then the socket address unless
 * that is a trusted proxy, in which case X-Forwarded-For is walked from the right, skipping
 * trusted hops (never the forgeable leftmost entry).
 */
export function compileTrustedProxies(entries: string[]): TrustFn {
  return proxyAddr.compile(entries);
}

export function clientIp(req: IncomingMessage, trust: TrustFn): string {
  return proxyAddr(req, trust);
}

/** Throws with a clear message when an entry is neither an IP nor a CIDR. */
export function validateProxyEntries(entries: string[]): string[] {
  const problems: string[] = [];
  for (const entry of entries) {
    try {
      proxyAddr.compile(entry);
    } catch {
      problems.push(`"${entry}" is not an IP address or CIDR`);
    }
  }
  return problems;
}
