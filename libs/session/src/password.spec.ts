import { readFileSync, readdirSync } from 'node:fs';
import { PasswordHasher, decodeArgon2id, encodeArgon2id, passwordPolicyProblem } from './password';

describe('PasswordHasher (Argon2id in Core format)', () => {
  const hasher = new PasswordHasher();

  it('writes argon2id$v=19$m=65536,t=3,p=2$salt$hash with unpadded base64 and no leading $', async () => {
    const encoded = await hasher.hash('correct horse battery staple');
    expect(encoded).toMatch(/^argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify('correct horse battery staple', encoded)).toEqual({ ok: true, needsRehash: false });
    expect((await hasher.verify('correct horse battery stapl', encoded)).ok).toBe(false);
  });

  it('verifies hashes made with other accepted parameters and asks for a re-hash', async () => {
    const weaker = new PasswordHasher({ memoryKiB: 19456, iterations: 2, parallelism: 1 });
    const encoded = await weaker.hash('another long password');
    expect(encoded.startsWith('argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await hasher.verify('another long password', encoded)).toEqual({ ok: true, needsRehash: true });
  });

  it('never verifies other formats or out-of-range parameters', async () => {
    expect((await hasher.verify('x', 'pbkdf2_sha256$260000$salt$hash')).ok).toBe(false);
    expect((await hasher.verify('x', '$argon2id$v=19$m=65536,t=3,p=2$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).ok).toBe(false);
    expect(decodeArgon2id('argon2id$v=19$m=1024,t=3,p=2$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBeNull();
    expect((await hasher.verify('x', null)).ok).toBe(false);
    const params = { memoryKiB: 65536, iterations: 3, parallelism: 2 };
    expect(decodeArgon2id(encodeArgon2id(params, Buffer.alloc(16, 1), Buffer.alloc(32, 2)))?.params).toEqual(params);
  });

  it('applies the password policy in bytes', () => {
    const policy = { minLength: 12, maxBytes: 1024 };
    expect(passwordPolicyProblem('short', policy)).toMatch(/at least 12/);
    expect(passwordPolicyProblem('long-enough-password', policy)).toBeNull();
    expect(passwordPolicyProblem('            ', policy)).toMatch(/blank/);
    expect(passwordPolicyProblem('x'.repeat(1025), policy)).toMatch(/at most 1024/);
  });
});

describe('PasswordHasher concurrency', () => {
  it('runs concurrent hashes through its gate and still verifies every one', async () => {
    const gated = new PasswordHasher(undefined, 1);
    const passwords = Array.from({ length: 4 }, (_, i) => `concurrent password ${i}`);
    const hashes = await Promise.all(passwords.map((p) => gated.hash(p)));
    const results = await Promise.all(hashes.map((h, i) => gated.verify(passwords[i], h)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(hashes).size).toBe(4);
  });
});

/** A thread's nice value, from field 19 of its /proc stat line. */
function niceOf(tid: string | number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

/** The nice value of each thread of this process. */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return [niceOf(tid)];
    } catch {
      return []; // the thread ended between the listing and the read
    }
  });
}

describe('PasswordHasher threads', () => {
  it('derives below the event loop priority, so other work takes the CPU first', async () => {
    const hasher = new PasswordHasher(undefined, 1);
    const seen = new Set<number>();
    let done = false;
    const hashing = hasher.hash('a password hashed at low priority').finally(() => (done = true));
    while (!done) {
      for (const nice of threadNiceValues()) seen.add(nice);
      await new Promise((r) => setTimeout(r, 2));
    }
    await hashing;
    expect(Math.max(...seen)).toBe(10);
    expect(niceOf(process.pid)).toBe(0); // the main thread
  });
});
