import { newId } from '@plystra/db';

const VALID_REQUEST_ID = /^[\x21\x23-\x26\x28-\x5b\x5d-\x7e]{1,128}$/;

/** The client's X-Request-ID when it is 1-128 printable ASCII without quotes or backslash. */
export function acceptOrCreateRequestId(header: unknown): string {
  if (typeof header === 'string' && VALID_REQUEST_ID.test(header)) return header;
  return newId('req');
}
