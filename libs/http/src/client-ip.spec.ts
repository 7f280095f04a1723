import type { IncomingMessage } from 'node:http';
import { clientIp, compileTrustedProxies, validateProxyEntries } from './client-ip';

const req = (remote: string, xff?: string) => ({ socket: { remoteAddress: remote }, connection: { remoteAddress: remote }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

describe('client IP from trusted proxies', () => {
  const trust = compileTrustedProxies(['10.0.0.0/8', '127.0.0.1']);

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(clientIp(req('203.0.113.5', '1.1.1.1'), trust)).toBe('203.0.113.5');
  });

  it('walks X-Forwarded-For from the right, skipping trusted hops, never taking the forgeable leftmost entry', () => {
    expect(clientIp(req('127.0.0.1', '1.1.1.1'), trust)).toBe('1.1.1.1');
    expect(clientIp(req('10.1.2.3', '9.9.9.9, 1.1.1.1, 10.0.0.7'), trust)).toBe('1.1.1.1');
    expect(clientIp(req('10.1.2.3', '10.0.0.9, 10.0.0.7'), trust)).toBe('10.0.0.9');
  });

  it('trusts nothing by default', () => {
    expect(clientIp(req('127.0.0.1', '1.1.1.1'), compileTrustedProxies([]))).toBe('127.0.0.1');
  });

  it('reports entries that are neither IPs nor CIDRs', () => {
    expect(validateProxyEntries(['10.0.0.0/8', '::1', 'proxy.local'])).toEqual(['"proxy.local" is not an IP address or CIDR']);
  });
});
