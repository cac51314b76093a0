// The API's error messages come in the UI's language: the UI sends its
// language as Accept-Language on every API call, and a form shows the
// server's message at the field it names (issue 12, item 14).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, assertClean, DESKTOP } from './lib.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

// Submits a new organisation named name; returns the text shown at its name field.
async function duplicateOrganization(page, name) {
  await page.goto('/admin/organizations');
  await page.click('#admin-new');
  await page.fill('#record-form input[name=name]', name);
  await page.click('#record-form button[type=submit]');
  const field = page.locator('#record-form .field.invalid[data-field="name"] .field-error');
  await field.waitFor();
  return field.textContent();
}

test('a field error from the API is in Chinese in the Chinese UI and in English in the English UI', async () => {
  const page = await env.newPage(DESKTOP);
  const langs = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname.startsWith('/api/v1/')) langs.push(req.headers()['accept-language']);
  });
  await login(page, 'admin', 'admin-pass-123');
  await page.goto('/admin/organizations');
  await page.click('#admin-new');
  await page.fill('#record-form input[name=name]', '华东数据中心运维部');
  await page.fill('#record-form input[name=code]', 'HD-01');
  await page.click('#record-form button[type=submit]');
  await page.locator('.admin-table td', { hasText: '华东数据中心运维部' }).waitFor();

  // zh-CN, the default: the message in the department's words
  assert.equal(await duplicateOrganization(page, '华东数据中心运维部'), '已有名为 华东数据中心运维部 的客户单位');
  assert.ok(langs.length > 0 && langs.every((l) => l === 'zh-CN'), `Accept-Language sent: ${langs}`);

  // English: the same refusal in English
  await page.selectOption('#lang', 'en');
  await page.waitForSelector('#top:not([hidden])');
  langs.length = 0;
  assert.equal(await duplicateOrganization(page, '华东数据中心运维部'), 'an organization named 华东数据中心运维部 exists');
  assert.ok(langs.length > 0 && langs.every((l) => l === 'en'), `Accept-Language sent: ${langs}`);
  assertClean(assert, page);
});
