import { Injectable } from '@nestjs/common';
import { MAGIC_LINK_PREFIX, TokenHasher, hasTokenShape, newOpaqueToken } from '@plystra/session';
import { randomInt } from 'node:crypto';

export type ChallengePurpose = 'auth.email_code' | 'auth.magic_link';

/** Six digits from a CSPRNG, uniform over 000000..999999 (leading zeros kept). */
export function newEmailCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

export const EMAIL_CODE_SHAPE = /^[0-9]{6}$/;

/**
 * The secrets of a challenge, stored only as HMAC-SHA256 with the session secret (previous secrets
 * still match during a rotation). A code's hash binds purpose and email, so a code issued for one
 * address never matches a challenge of another.
 */
@Injectable()
export class ChallengeSecrets {
  constructor(private readonly hasher: TokenHasher) {}

  private codeMaterial(email: string, code: string): string {
    return `auth.email_code\u0000${email}\u0000${code}`;
  }

  codeHash(email: string, code: string): string {
    return this.hasher.hash(this.codeMaterial(email, code));
  }

  codeHashCandidates(email: string, code: string): string[] {
    return this.hasher.candidates(this.codeMaterial(email, code));
  }

  /** `secret_hash` of a code challenge: the HMAC of its id (unique, reveals nothing). */
  idHash(id: string): string {
    return this.hasher.hash(`auth.challenge\u0000${id}`);
  }

  newMagicToken(): string {
    return newOpaqueToken(MAGIC_LINK_PREFIX);
  }

  magicTokenHash(token: string): string {
    return this.hasher.hash(token);
  }

  /** The hashes a presented token may be stored under, or null when it cannot be a magic-link token. */
  magicTokenCandidates(token: unknown): string[] | null {
    if (typeof token !== 'string' || !hasTokenShape(token, MAGIC_LINK_PREFIX)) return null;
    return this.hasher.candidates(token);
  }
}
