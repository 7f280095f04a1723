import { Algorithm, type Options } from '@node-rs/argon2';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Argon2id in Core's exact format: `argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>` (unpadded
 * standard base64, no leading `$`). Hashing runs on worker threads (see DerivationThread), never on
 * the event loop.
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
 * Argon2id derivations run on their own worker threads, one derivation at a time per thread, at a
 * lower CPU priority than the event loop (a nice increment; each derivation's lane threads inherit
 * it). A login flood then takes the CPU only when nothing else wants it: health probes, checks and
 * the rest of each login, including the PostgreSQL statements, go first. The next queued derivation
 * starts on the thread as soon as the previous one ends, without waiting for the event loop.
 */
const DERIVATION_NICE = 10;
/** A thread with nothing to derive for this long ends (it holds about 10 MB); the next derivation starts a new one. */
const IDLE_THREAD_MS = 30_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { hashRawSync } = require(workerData.argon2);
try { require('node:os').setPriority(0, workerData.nice); } catch {}
parentPort.on('message', ({ id, password, options }) => {
  try { parentPort.postMessage({ id, hash: hashRawSync(password, options) }); }
  catch (error) { parentPort.postMessage({ id, error: String((error && error.message) || error) }); }
});`;

interface Pending {
  resolve: (hash: Buffer) => void;
  reject: (error: Error) => void;
}

class DerivationThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  get queued(): number {
    return this.pending.size;
  }

  derive(password: string, options: Options): Promise<Buffer> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.pending.size === 0) worker.ref();
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, options });
    });
  }

  /** Lets the process exit while nothing is pending, and ends the thread after a while idle. */
  private rest(worker: Worker): void {
    worker.unref();
    this.idleTimer = setTimeout(() => {
      this.worker = null;
      void worker.terminate();
    }, IDLE_THREAD_MS).unref();
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { argon2: require.resolve('@node-rs/argon2'), nice: DERIVATION_NICE } });
    worker.unref();
    worker.on('message', ({ id, hash, error }: { id: number; hash?: Uint8Array; error?: string }) => {
      const call = this.pending.get(id);
      if (!call) return;
      this.pending.delete(id);
      if (this.pending.size === 0) this.rest(worker);
      if (hash) call.resolve(Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength));
      else call.reject(new Error(`Argon2id derivation failed: ${error}`));
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`Argon2id thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

function argon2Options(params: Argon2Params, salt: Buffer, length: number): Options {
  return { algorithm: Algorithm.Argon2id, memoryCost: params.memoryKiB, timeCost: params.iterations, parallelism: params.parallelism, outputLen: length, salt };
}

export interface PasswordVerification {
  ok: boolean;
  /** The stored hash used other parameters than the current ones; re-hash after a success. */
  needsRehash: boolean;
}

export class PasswordHasher {
  /** Verified for unknown accounts so timing reveals nothing: the same parameters, so the same work. */
  private readonly decoy: Decoded;
  private readonly threads: DerivationThread[];

  /**
   * `maxConcurrent` derivations run at once at most (one per thread); the rest wait in order. Each
   * derivation already computes its lanes on `parallelism` threads, so running more than
   * cores ÷ parallelism at once only thrashes the CPUs and memory bandwidth and slows every login.
   */
  constructor(
    private readonly params: Argon2Params = DEFAULT_ARGON2_PARAMS,
    maxConcurrent = Math.max(1, Math.floor(availableParallelism() / params.parallelism)),
  ) {
    this.threads = Array.from({ length: maxConcurrent }, () => new DerivationThread());
    // A random 32-byte "hash" that no password derives to (a 2^-256 chance): no derivation at start-up.
    this.decoy = { params, salt: randomBytes(SALT_BYTES), hash: randomBytes(KEY_BYTES) };
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    return encodeArgon2id(this.params, salt, await this.derive(password, this.params, salt, KEY_BYTES));
  }

  async verify(password: string, encoded: string | null | undefined): Promise<PasswordVerification> {
    const decoded = encoded ? decodeArgon2id(encoded) : null;
    if (!decoded) {
      await this.decoyVerify(password);
      return { ok: false, needsRehash: false };
    }
    const derived = await this.derive(password, decoded.params, decoded.salt, decoded.hash.length);
    const ok = timingSafeEqual(derived, decoded.hash);
    const p = decoded.params;
    const needsRehash =
      p.memoryKiB !== this.params.memoryKiB || p.iterations !== this.params.iterations || p.parallelism !== this.params.parallelism || decoded.hash.length !== KEY_BYTES;
    return { ok, needsRehash };
  }

  /** Spends the same work as a real verification and always fails. */
  async decoyVerify(password: string): Promise<void> {
    const { params, salt, hash } = this.decoy;
    await this.derive(password, params, salt, hash.length);
  }

  private derive(password: string, params: Argon2Params, salt: Buffer, length: number): Promise<Buffer> {
    const thread = this.threads.reduce((least, t) => (t.queued < least.queued ? t : least));
    return thread.derive(password, argon2Options(params, salt, length));
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
