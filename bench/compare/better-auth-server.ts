import { createServer } from 'node:http';
import { Algorithm, hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { Pool } from 'pg';
import { EmailCapabilityClient } from '@plystra/email-contract';
import { countQueries } from '../passwordless-query-counter';

const queries = countQueries();

/**
 * Better Auth (1.7.x) as its documentation sets it up on Node: `betterAuth({...})` mounted on a
 * plain `node:http` server through `toNodeHandler` (better-auth/node) at the default base path
 * `/api/auth`, on a `pg` Pool (Better Auth's built-in Kysely PostgreSQL dialect), its schema
 * created by its own migration API (`getMigrations(options).runMigrations()` from
 * better-auth/db/migration) when started with BA_MIGRATE=1.
 *
 * Configured as safely as Plystra's services, for a fair comparison:
 * - email + password with Plystra's exact hashing cost: Argon2id m=65536 KiB, t=3, p=2, 16-byte
 *   salt, 32-byte output, through @node-rs/argon2's async API (libuv thread pool), plugged in
 *   with `emailAndPassword.password.hash/verify` (Better Auth's default is scrypt);
 * - emailOTP: 6 digits, 10-minute expiry (Plystra's `email_code_ttl`), `storeOTP: 'hashed'`,
 *   `allowedAttempts: 5` (Plystra's `auth_challenge_max_attempts`), `disableSignUp: true`
 *   (Plystra's `public_registration_enabled` is false);
 * - magicLink: `storeToken: 'hashed'`, 10-minute expiry, `disableSignUp: true`;
 * - rate limiting on, `storage: 'database'` (the `rateLimit` table, so it holds across replicas,
 *   like Plystra's counters in PostgreSQL), keyed by the client IP from `x-forwarded-for`, with
 *   limits high enough never to trip in the bench (as the bench sets Plystra's);
 * - delivery: sendVerificationOTP / sendMagicLink post the message with Plystra's own
 *   `EmailCapabilityClient` to the bench's local contract server, awaited before answering, so
 *   delivery costs the same as the Plystra plugin's and the bench reads the code/link there;
 * - `advanced.useSecureCookies: false` only because the bench speaks plain HTTP on loopback;
 *   telemetry off.
 *
 * Environment: BA_DATABASE_URL, BA_PORT, BA_SECRET, BA_EMAIL_URL, BA_EMAIL_TOKEN,
 * BA_POOL_SIZE (10, like Plystra's DATABASE_POOL_SIZE default), BA_MIGRATE=1 (create the schema
 * and exit). Prints `listening <port>` when ready. Bench-only routes beside Better Auth's:
 * `GET /bench/ready` and `GET /bench/queries` (SQL statements sent so far).
 */
export const BETTER_AUTH_ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 65536, timeCost: 3, parallelism: 2, outputLen: 32 } as const;
const HIGH = { window: 60, max: 10_000_000 };
const TEN_MINUTES = 600;

async function main(): Promise<void> {
  // ESM-only package: Node 20.19+ loads it through require(esm), which is what SWC's CommonJS
  // output of these dynamic imports does.
  const { betterAuth } = await import('better-auth');
  const { emailOTP, magicLink } = await import('better-auth/plugins');
  const { toNodeHandler } = await import('better-auth/node');
  const { getMigrations } = await import('better-auth/db/migration');

  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const port = Number(process.env.BA_PORT ?? 0);
  const mailer = process.env.BA_EMAIL_URL ? new EmailCapabilityClient({ url: env('BA_EMAIL_URL'), token: env('BA_EMAIL_TOKEN'), timeoutMs: 10_000 }) : null;
  const deliver = async (purpose: string, to: string, subject: string, text: string) => {
    if (!mailer) throw new Error('BA_EMAIL_URL is not set');
    const outcome = await mailer.send({ purpose, from: { address: 'auth@example.com', name: 'Better Auth bench' }, to: [{ address: to }], subject, text });
    if (!outcome.ok) throw new Error(`delivery failed: ${outcome.failure.code}`);
  };

  const options = {
    database: new Pool({ connectionString: env('BA_DATABASE_URL'), max: Number(process.env.BA_POOL_SIZE ?? 10) }),
    secret: env('BA_SECRET'),
    baseURL: `http://127.0.0.1:${port}`,
    telemetry: { enabled: false },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 12,
      password: {
        hash: (password: string) => argon2Hash(password, BETTER_AUTH_ARGON2),
        verify: ({ hash, password }: { hash: string; password: string }) => argon2Verify(hash, password),
      },
    },
    rateLimit: {
      enabled: true,
      storage: 'database' as const,
      ...HIGH,
      customRules: { '/sign-in/*': HIGH, '/sign-up/*': HIGH, '/email-otp/*': HIGH, '/magic-link/*': HIGH },
    },
    advanced: { useSecureCookies: false, ipAddress: { ipAddressHeaders: ['x-forwarded-for'] } },
    plugins: [
      emailOTP({
        otpLength: 6,
        expiresIn: TEN_MINUTES,
        storeOTP: 'hashed',
        allowedAttempts: 5,
        disableSignUp: true,
        rateLimit: HIGH,
        sendVerificationOTP: ({ email, otp }) => deliver('auth.email_code', email, 'Your sign-in code', `Your sign-in code is ${otp}.`),
      }),
      magicLink({
        storeToken: 'hashed',
        expiresIn: TEN_MINUTES,
        disableSignUp: true,
        rateLimit: HIGH,
        sendMagicLink: ({ email, url }) => deliver('auth.magic_link', email, 'Your sign-in link', `Sign in: ${url}`),
      }),
    ],
  };

  if (process.env.BA_MIGRATE === '1') {
    const { runMigrations } = await getMigrations(options);
    await runMigrations();
    await options.database.end();
    return;
  }

  const auth = betterAuth(options);
  const handler = toNodeHandler(auth);
  const server = createServer((req, res) => {
    if (req.url === '/bench/ready') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.url === '/bench/queries') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ queries: queries() }));
      return;
    }
    void handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => void options.database.end().then(() => process.exit(0)));
  });
}

main().then(
  () => {
    if (process.env.BA_MIGRATE === '1') process.exit(0);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
