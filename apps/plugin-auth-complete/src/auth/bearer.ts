import { headerOf } from '@plystra/http';

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), if any. */
export function bearerToken(req: unknown): string | undefined {
  const header = headerOf(req, 'authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}
