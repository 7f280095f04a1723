import { execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { TEST_ADMIN_URL_ENV } from '@plystra/db/testing';

/**
 * The README's quick start, end to end, as CI runs it: the compiled `npm start` on free ports
 * against a fresh database on the test server (tools/quickstart-check.ts creates and drops it).
 */
const root = resolve(__dirname, '..');

describe('quick start (README)', () => {
  it('starts, answers, logs alice in, allows the printed check, mails a code, and stops every process on Ctrl-C', async () => {
    execFileSync(process.execPath, [join(root, 'tools/build.mjs'), '--quiet'], { cwd: root, stdio: 'inherit' });
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: process.env[TEST_ADMIN_URL_ENV] };
    delete env.PLYSTRA_DATABASE_URL;
    const child = spawn(process.execPath, [join(root, 'dist/tools/quickstart-check.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
    if (process.env.QS_DEBUG) console.log(output);
    if (code !== 0) throw new Error(`quickstart-check exited ${code}:\n${output}`);
    for (const line of [
      'npm start is ready',
      'core answers GET',
      'plugin-auth-complete answers GET',
      'plugin-email-smtp answers GET',
      'logged in as alice@example.com',
      'the printed authorization check allows',
      'the email code reached the SMTP sink',
      'the printed code signs in on the plugin',
      'SIGINT stopped npm start and all',
    ]) {
      expect(output).toContain(`ok   ${line}`);
    }
  }, 60_000);
});
