// Browser-test harness: a real `yunwei serve` (tests/api/lib.mjs) with a
// fresh demo database, driven through Debian's chromium by playwright-core.
// Never downloads a browser: CHROMIUM (default /usr/bin/chromium) must exist.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../api/lib.mjs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const DEMO_PASSWORD = 'demo1234';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 375, height: 740 };

// Starts the server and a browser. Returns { srv, newPage, newContext, close, restart }.
// Every page records console errors, page errors and CSP violations in
// page.problems, which a test checks with assertClean(page).
export async function setup(opts = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: run scripts/deps.sh (Debian package chromium)`);
  // YW_WEB_ROOT=web serves the UI from disk: edit and re-run without a rebuild
  const args = process.env.YW_WEB_ROOT ? ['--web-root', process.env.YW_WEB_ROOT] : [];
  let srv = await startServer({ demo: true, args, ...opts });
  const profiles = [];
  const contexts = [];
  // Each context is its own fresh profile (cookies, cache, localStorage).
  async function newContext(viewport = DESKTOP, extra = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'yunwei-chromium-'));
    profiles.push(dir);
    const ctx = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM, headless: true, args: ARGS, viewport, baseURL: env.srv.base,
      locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...extra,
    });
    ctx.setDefaultTimeout(10000);
    contexts.push(ctx);
    return ctx;
  }
  async function newPage(viewport = DESKTOP, extra = {}) {
    const ctx = await newContext(viewport, extra);
    const page = ctx.pages()[0] || await ctx.newPage();
    watch(page);
    return page;
  }
  async function close() {
    for (const c of contexts) await c.close().catch(() => {});
    await env.srv.stop();
    for (const d of profiles) rmSync(d, { recursive: true, force: true });
    env.srv.cleanup();
  }
  // Stops the server and starts it again on the same database (with the
  // environment as it is now, e.g. another YW_FAKE_NOW): env.srv is the new
  // one, and pages made before it must be closed or pointed at env.srv.base.
  async function restart() {
    await env.srv.stop();
    srv = await startServer({ dir: env.srv.dir, args });
    env.srv = srv;
    return srv;
  }
  const env = { srv, newPage, newContext, close, restart };
  return env;
}

export function watch(page) {
  page.problems = [];
  page.dialogs = [];
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // A failed API call the UI handles (401 before login, 404 of an absent
    // optional API, 4xx a test provokes) is logged by the browser: not a bug.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    page.problems.push('console: ' + text);
  });
  page.on('dialog', async (d) => { page.dialogs.push(d.message()); await d.dismiss(); });
}

export function assertClean(assert, page) {
  assert.deepEqual(page.problems, [], 'no script errors or CSP violations');
  assert.deepEqual(page.dialogs, [], 'no dialogs');
}

// Logs in through the login form.
// Submits the ticket list's filter form and waits for the list that answers it.
// The list on screen loses its data-rendered mark first: between the URL's change
// and the new view replacing it, the old list still matched '#results[data-rendered]',
// and a test read the rows of the list that came next while it was still loading.
export async function applyFilters(page, url) {
  await page.locator('#results').evaluate((e) => e.removeAttribute('data-rendered'));
  await page.click('#filters button[type=submit]');
  await page.waitForURL(url);
  await page.waitForSelector('#results[data-rendered]');
}

export async function login(page, user, password = DEMO_PASSWORD, path = '/login') {
  await page.goto(path);
  await page.getByLabel(/用户名|User name/).fill(user);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /登录|Log in/ }).click();
  await page.waitForSelector('#top:not([hidden])');
}

// An API session for test set-up through the server, as a user.
export async function apiAs(srv, login) {
  const token = srv.token(login);
  const call = async (method, path, body, headers = {}) => {
    const r = await srv.req(method, '/api/v1' + path, { token, body, headers });
    if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };
  return { token, call, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b) };
}
