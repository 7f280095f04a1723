import { Algorithm, hashRaw } from '@node-rs/argon2';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';

/**
 * Argon2id in Core's exact format: `argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>` (unpadded
 * standard base64, no leading `$`). Hashing runs on libuv's thread pool (@node-rs/argon2's async
 * API), never on the event loop.
 */
export interface Argon2Params {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export const DEFAULT_ARGON2_PARAMS: Argon2Params = { memoryKiB: 65536, iterations: 3, parallelism: 2 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const LIMITS = { m: [19456, 1048576], t: [1, 10], p: [1, 16], bytes: [16, 64] } as const;

interface Decoded {
  params: Argon2Params;
  salt: Buffer;
  hash: Buffer;
}

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');

function decodeB64(value: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+$/.test(value)) return null;
  return Buffer.from(value, 'base64');
}

export function encodeArgon2id(params: Argon2Params, salt: Buffer, hash: Buffer): string {
  return `argon2id$v=19$m=${params.memoryKiB},t=${params.iterations},p=${params.parallelism}$${b64(salt)}$${b64(hash)}`;
}

export function decodeArgon2id(encoded: string): Decoded | null {
  const parts = encoded.split('$');
  if (parts.length !== 5 || parts[0] !== 'argon2id' || parts[1] !== 'v=19') return null;
  const match = /^m=(\d+),t=(\d+),p=(\d+)$/.exec(parts[2]);
  if (!match) return null;
  const [m, t, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < LIMITS.m[0] || m > LIMITS.m[1] || t < LIMITS.t[0] || t > LIMITS.t[1] || p < LIMITS.p[0] || p > LIMITS.p[1]) return null;
  const salt = decodeB64(parts[3]);
  const hash = decodeB64(parts[4]);
  if (!salt || !hash) return null;
  for (const buf of [salt, hash]) if (buf.length < LIMITS.bytes[0] || buf.length > LIMITS.bytes[1]) return null;
  return { params: { memoryKiB: m, iterations: t, parallelism: p }, salt, hash };
}

/**
 * At most this many derivations run at once; the rest wait in order. Each derivation already
 * computes its lanes on `parallelism` threads, so running more than cores ÷ parallelism at once
 * only thrashes the CPUs and memory bandwidth, slows every login, and starves the event loop.
 */
export class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

function derive(password: string, params: Argon2Params, salt: Buffer, length: number): Promise<Buffer> {
  return hashRaw(password, {
    algorithm: Algorithm.Argon2id,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
    outputLen: length,
    salt,
  });
}

export interface PasswordVerification {
  ok: boolean;
  /** The stored hash used other parameters than the current ones; re-hash after a success. */
  needsRehash: boolean;
}

export class PasswordHasher {
  private readonly decoy: Promise<string>;
  private readonly gate: Gate;

  constructor(
    private readonly params: Argon2Params = DEFAULT_ARGON2_PARAMS,
    maxConcurrent = Math.max(1, Math.floor(availableParallelism() / params.parallelism)),
  ) {
    this.gate = new Gate(maxConcurrent);
    // A real hash at the current parameters, verified for unknown accounts so timing reveals nothing.
    this.decoy = this.hash(randomBytes(24).toString('hex'));
    this.decoy.catch(() => undefined);
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    return encodeArgon2id(this.params, salt, await this.gate.run(() => derive(password, this.params, salt, KEY_BYTES)));
  }

  async verify(password: string, encoded: string | null | undefined): Promise<PasswordVerification> {
    const decoded = encoded ? decodeArgon2id(encoded) : null;
    if (!decoded) {
      await this.decoyVerify(password);
      return { ok: false, needsRehash: false };
    }
    const derived = await this.gate.run(() => derive(password, decoded.params, decoded.salt, decoded.hash.length));
    const ok = timingSafeEqual(derived, decoded.hash);
    const p = decoded.params;
    const needsRehash =
      p.memoryKiB !== this.params.memoryKiB || p.iterations !== this.params.iterations || p.parallelism !== this.params.parallelism || decoded.hash.length !== KEY_BYTES;
    return { ok, needsRehash };
  }

  /** Spends the same work as a real verification and always fails. */
  async decoyVerify(password: string): Promise<void> {
    const decoded = decodeArgon2id(await this.decoy)!;
    await this.gate.run(() => derive(password, decoded.params, decoded.salt, decoded.hash.length));
  }
}

export interface PasswordPolicy {
  minLength: number;
  maxBytes: number;
}

/** Returns the problem with a password, or null when it satisfies the policy. */
export function passwordPolicyProblem(password: string, policy: PasswordPolicy): string | null {
  if (password.trim().length === 0) return 'password must not be blank';
  // The minimum counts characters (Unicode code points, as ASVS 2.1.1/2.1.4 do): in bytes, three emoji would pass "12".
  if ([...password].length < policy.minLength) return `password must be at least ${policy.minLength} characters`;
  if (Buffer.byteLength(password) > policy.maxBytes) return `password must be at most ${policy.maxBytes} bytes`;
  return null;
}
