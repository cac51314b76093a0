// Keyboard use and labels: every control of the main screens has an
// accessible name, and a desk user can log in and open a ticket with the
// keyboard alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login } from './lib.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

// The controls on the page that have no accessible name: no <label for>,
// no wrapping <label>, no aria-label(ledby), no title, no text of their own.
async function unlabelled(page) {
  return page.evaluate(() => {
    const named = (el) => {
      if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.getAttribute('title')) return true;
      if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return true;
      if (el.closest('label')) return true;
      if ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim()) return true;
      if (el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type) && el.value) return true;
      return false;
    };
    const out = [];
    let seen = 0;
    for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden' || el.closest('[hidden]')) continue;
      seen++;
      if (!named(el)) out.push(el.outerHTML.slice(0, 120));
    }
    return { seen, out };
  });
}

test('every control on the main screens has a label', async () => {
  const page = await env.newPage();
  const screens = {
    zhangwei: ['/', '/tickets', '/tickets/1', '/tickets/new'],
    admin: ['/admin/users', '/admin/groups', '/admin/organizations', '/admin/categories', '/admin/priority-matrix',
      '/admin/calendars', '/admin/sla-policies'],
    hd_sun: ['/portal', '/portal/new'],
  };
  const missing = [];
  let first = true, seen = 0;
  for (const [user, paths] of Object.entries(screens)) {
    if (!first) await page.context().clearCookies();
    first = false;
    if (user === 'admin') {
      await page.goto('/login');
      await page.getByLabel(/用户名|User name/).fill('admin');
      await page.getByLabel(/密码|Password/).fill(env.adminPassword || 'admin-pass-123');
      await page.getByRole('button', { name: /登录|Log in/ }).click();
      await page.waitForSelector('#top:not([hidden])');
    } else {
      await login(page, user);
    }
    for (const p of paths) {
      await page.goto(p);
      await page.waitForLoadState('networkidle');
      const u = await unlabelled(page);
      seen += u.seen;
      for (const m of u.out) missing.push(`${user} ${p}: ${m}`);
    }
  }
  // the login page itself
  await page.context().clearCookies();
  await page.goto('/login');
  await page.waitForLoadState('networkidle');
  const u = await unlabelled(page);
  seen += u.seen;
  for (const m of u.out) missing.push(`login: ${m}`);
  assert.deepEqual(missing, []);
  // the check looked at the screens' real controls, not at empty pages
  assert.ok(seen > 100, `${seen} controls checked`);
  console.log(`# ${seen} controls checked, all labelled`);
});

test('log in and open a ticket with the keyboard alone', async () => {
  const page = await env.newPage();
  await page.goto('/login');
  await page.getByLabel(/用户名|User name/).focus();
  await page.keyboard.type('zhangwei');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.type), 'password');
  await page.keyboard.type('demo1234');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#top:not([hidden])');
  await page.goto('/tickets');
  await page.waitForSelector('#results table');
  // Tab from the top of the page until a ticket link has the focus, then Enter
  let reached = false;
  for (let i = 0; i < 200 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => {
      const a = document.activeElement;
      return !!(a && a.tagName === 'A' && a.closest('#results table') && /^\/tickets\/\d+$/.test(a.getAttribute('href')));
    });
  }
  assert.ok(reached, 'a ticket link is reachable with Tab');
  const href = await page.evaluate(() => document.activeElement.getAttribute('href'));
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.pathname === href);
  await page.waitForSelector('#timeline');
  // the reply box is reachable and usable from the keyboard
  const box = page.locator('textarea').first();
  await box.focus();
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'TEXTAREA');
});
