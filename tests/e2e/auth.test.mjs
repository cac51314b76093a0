// Login, return-to, logout, wrong password, the language switch and the
// security headers, in a real browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, assertClean } from './lib.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

test('a deep link while logged out goes to login and comes back after', async () => {
  const page = await env.newPage();
  await page.goto('/tickets?status=new');
  await page.waitForURL(/\/login\?next=/);
  assert.equal(new URL(page.url()).searchParams.get('next'), '/tickets?status=new');
  await page.getByLabel('用户名').fill('zhangwei');
  await page.getByLabel('密码').fill('demo1234');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/tickets\?status=new$/);
  await page.waitForSelector('#results [data-rendered], #results table, #results .empty');
  assert.match(await page.locator('#who').textContent(), /张伟/);
  assertClean(assert, page);
});

test('wrong password shows a message and stays on login', async () => {
  const page = await env.newPage();
  await page.goto('/login');
  await page.getByLabel('用户名').fill('zhangwei');
  await page.getByLabel('密码').fill('wrong-password');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
  assert.equal(await page.locator('#login-error').textContent(), '用户名或密码错误');
  assert.match(page.url(), /\/login$/);
});

test('an unsafe return-to is ignored', async () => {
  const page = await env.newPage();
  await login(page, 'zhangwei', undefined, '/login?next=' + encodeURIComponent('//evil.example/x'));
  await page.waitForURL((u) => u.pathname === '/');
  assert.equal(new URL(page.url()).host, new URL(env.srv.base).host);
});

test('logout ends the session: the API answers 401 and pages go to login', async () => {
  const page = await env.newPage();
  await login(page, 'zhangwei');
  await page.click('#logout');
  await page.waitForURL(/\/login$/);
  const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(status, 401);
  await page.goto('/tickets');
  await page.waitForURL(/\/login\?next=%2Ftickets$/);
});

test('the language switch turns the UI English and is remembered', async () => {
  const page = await env.newPage();
  await login(page, 'zhangwei');
  assert.equal(await page.locator('a[data-nav="/tickets"]').textContent(), '工单');
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.waitForSelector('a[data-nav="/tickets"]');
  assert.equal(await page.locator('a[data-nav="/tickets"]').textContent(), 'Tickets');
  await page.reload();
  await page.waitForSelector('a[data-nav="/tickets"]');
  assert.equal(await page.locator('a[data-nav="/tickets"]').textContent(), 'Tickets');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.selectOption('#lang', 'zh-CN');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assertClean(assert, page);
});

test('static files carry CSP, nosniff, a content ETag and gzip', async () => {
  const r = await fetch(env.srv.base + '/js/app.js', { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
  assert.doesNotMatch(r.headers.get('content-security-policy'), /unsafe-inline/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('content-encoding'), 'gzip');
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}-gz"$/);
  const again = await fetch(env.srv.base + '/js/app.js', { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  const plain = await fetch(env.srv.base + '/js/app.js', { headers: { 'Accept-Encoding': 'identity' } });
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.notEqual(plain.headers.get('etag'), etag);
  const deep = await fetch(env.srv.base + '/tickets/123');
  assert.match(deep.headers.get('content-type'), /text\/html/);
});
