import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { createUser, startPlugin, tokenOf, type PluginTestApp } from './plugin-test-app';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic',
];

/** Debian's chromium, installed on demand; null when it truly cannot be. */
function ensureChromium(): string | null {
  if (existsSync(CHROMIUM)) return null;
  try {
    execSync('apt-get update && apt-get install -y chromium', { stdio: 'ignore', timeout: 10 * 60_000 });
  } catch (error) {
    return `apt-get install -y chromium failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is still missing after apt-get install -y chromium`;
}

const unavailable = ensureChromium();
if (unavailable) console.warn(`[consume-page.browser] skipping the headless-browser test: ${unavailable}`);
const describeBrowser = unavailable ? describe.skip : describe;

/** A stand-in application origin that fronts the plugin's page and API (as a reverse proxy would) and records what it is asked for. */
async function startAppOrigin(pluginPort: number): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url?.startsWith('/auth/consume') || req.url?.startsWith('/api/v1/')) {
      const upstream = httpRequest({ host: '127.0.0.1', port: pluginPort, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>The app</title><h1 id="welcome">Welcome to the app</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}`, seen };
}

describeBrowser('the magic-link confirm page in a real headless Chromium', () => {
  let plugin: PluginTestApp;
  let base: string;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    plugin = await startPlugin();
    base = await plugin.listen();
    await plugin.setSettings({ server_public_url: base });
    profile = mkdtempSync(join(tmpdir(), 'plystra-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await plugin?.close();
  });

  const state = async (email: string) => {
    const [challenge] = await plugin.db.dataSource.query(`SELECT status, attempts, updated_at FROM plugin_auth_challenges WHERE email = $1 ORDER BY created_at DESC LIMIT 1`, [email]);
    const [{ sessions }] = await plugin.db.dataSource.query(`SELECT count(*)::int AS sessions FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, [email]);
    return { challenge, sessions };
  };

  it('is inert on load; the click signs in and the page shows the tokens', async () => {
    await createUser(plugin.db, 'anna@example.com', null);
    await plugin.http.post('/api/v1/auth/magic-link').send({ email: 'anna@example.com' }).expect(202);
    const link = plugin.lastLink('anna@example.com');
    expect(link.startsWith(`${base}/auth/consume?token=ply_ml_`)).toBe(true);
    const before = await state('anna@example.com');

    const page = await context.newPage();
    const consumes: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/magic-link/consume')) consumes.push(r.method());
    });
    await page.goto(link, { waitUntil: 'load' });
    await page.waitForTimeout(700);
    expect(await page.textContent('#who')).toBe('a…@example.com');
    expect(await page.textContent('#confirm')).toBe('Sign in as a…@example.com');
    expect(consumes).toEqual([]);
    expect(await state('anna@example.com')).toEqual(before);
    expect(before.challenge.status).toBe('pending');

    await page.click('#confirm');
    await page.waitForSelector('#result:not([hidden])', { timeout: 10_000 });
    const access = await page.textContent('#access_token');
    expect(access).toMatch(/^ply_at_[0-9a-f]{64}$/);
    expect(consumes).toEqual(['POST']);
    expect(new URL(page.url()).search).toBe('');
    const after = await state('anna@example.com');
    expect(after.challenge.status).toBe('consumed');
    expect(after.sessions).toBe(1);
    await page.close();
  });

  it('hands the tokens to the application in the URL fragment, never the query', async () => {
    const app = await startAppOrigin(Number(new URL(base).port));
    try {
      await plugin.setSettings({ public_app_url: app.url });
      await createUser(plugin.db, 'bert@example.com', null);
      await plugin.http.post('/api/v1/auth/magic-link').send({ email: 'bert@example.com' }).expect(202);
      const link = plugin.lastLink('bert@example.com');
      expect(link.startsWith(`${app.url}/auth/consume?token=ply_ml_`)).toBe(true);
      const page = await context.newPage();
      await page.goto(link, { waitUntil: 'load' });
      await page.waitForTimeout(300);
      expect((await state('bert@example.com')).challenge.status).toBe('pending');
      await page.click('#confirm');
      await page.waitForSelector('#welcome', { timeout: 10_000 });
      const landed = new URL(page.url());
      expect(`${landed.origin}${landed.pathname}`).toBe(`${app.url}/`);
      expect(landed.search).toBe('');
      const fragment = new URLSearchParams(landed.hash.slice(1));
      expect(fragment.get('access_token')).toMatch(/^ply_at_[0-9a-f]{64}$/);
      expect(fragment.get('refresh_token')).toMatch(/^ply_rt_[0-9a-f]{64}$/);
      // The fragment never reached a server; the refresh token in it is live.
      expect(app.seen.some((url) => url.includes('ply_at_') || url.includes('ply_rt_'))).toBe(false);
      expect(app.seen.filter((url) => url.includes(tokenOf(link)))).toHaveLength(1);
      await plugin.http.post('/api/v1/auth/refresh').send({ refresh_token: fragment.get('refresh_token') }).expect(200);
      await page.close();
    } finally {
      await plugin.setSettings({ public_app_url: '' });
      app.server.closeAllConnections();
      await new Promise((resolve) => app.server.close(resolve));
    }
  });
});
