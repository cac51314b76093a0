// Attachments larger than one part go up in parts from the browser, with
// progress, and come back byte-exact (issue 12, item 1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setup, login, apiAs, assertClean } from './lib.mjs';

let env, admin;
before(async () => {
  env = await setup();
  admin = await apiAs(env.srv, 'admin');
});
after(async () => { await env.close(); });

test('an engineer attaches a 3.5 MiB file from the ticket page: sent in parts, stored whole', async () => {
  const users = (await admin.get('/users?limit=200')).items;
  const sun = users.find((u) => u.login === 'hd_sun');
  const tk = await admin.post('/tickets', { type: 'incident', title: '大附件上传', requester_id: sun.id });
  const data = Buffer.alloc((3 << 20) + (512 << 10));
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 12)) & 0xff;
  const page = await env.newPage();
  const puts = [];
  page.on('request', (r) => { if (r.method() === 'PUT' && r.url().includes('/api/v1/uploads/')) puts.push(r.headers()['upload-offset']); });
  await login(page, 'lina');
  await page.goto(`/tickets/${tk.id}`);
  await page.waitForSelector('#tk-title');
  await page.click('label[for=mode-attach]');
  await page.setInputFiles('#form-attach input[type=file]', { name: '抓包.zip', mimeType: 'application/zip', buffer: data });
  // what the progress line said, as it changed (the form is drawn again once done)
  await page.evaluate(() => {
    window.progressSeen = [];
    new MutationObserver(() => {
      const s = document.querySelector('.upload-progress:not([hidden]) span');
      if (s && s.textContent && window.progressSeen.at(-1) !== s.textContent) window.progressSeen.push(s.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.click('#form-attach button[type=submit]');
  await page.locator('a', { hasText: '抓包.zip' }).waitFor();
  const seen = await page.evaluate(() => window.progressSeen);
  assert.ok(seen.includes('正在上传 抓包.zip：28%'), JSON.stringify(seen));
  assert.equal(seen.at(-1), '正在上传 抓包.zip：100%');
  assert.deepEqual(puts, ['0', String(1 << 20), String(2 << 20), String(3 << 20)]);
  const atts = await admin.get(`/tickets/${tk.id}/attachments`);
  assert.equal(atts.items.length, 1);
  assert.equal(atts.items[0].size, data.length);
  assert.equal(atts.items[0].content_type, 'application/zip');
  assert.equal(atts.items[0].sha256, createHash('sha256').update(data).digest('hex'));
  assertClean(assert, page);
});

test('a customer submits a request with a 1.5 MiB photo from the portal: it goes up in parts', async () => {
  const data = Buffer.alloc((1 << 20) + (512 << 10));
  for (let i = 0; i < data.length; i++) data[i] = (i * 13 + (i >> 10)) & 0xff;
  const page = await env.newPage();
  const puts = [];
  page.on('request', (r) => { if (r.method() === 'PUT' && r.url().includes('/api/v1/uploads/')) puts.push(r.headers()['upload-offset']); });
  await login(page, 'hd_sun');
  await page.waitForURL(/\/portal$/);
  await page.click('#portal-request');
  const form = page.locator('#new-ticket');
  await form.waitFor();
  const cats = (await admin.get('/categories?limit=200')).items.filter((c) => c.parent_id && c.active !== false && !c.requires_approval);
  await form.getByLabel('分类').selectOption(String(cats[0].id));
  await form.getByLabel('标题', { exact: true }).fill('机房漏水照片');
  await page.setInputFiles('#new-ticket input[type=file]', { name: '现场.jpg', mimeType: 'image/jpeg', buffer: data });
  await form.getByRole('button', { name: '提交请求' }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  await page.locator('a', { hasText: '现场.jpg' }).waitFor();
  assert.deepEqual(puts, ['0', String(1 << 20)]);
  const atts = await admin.get(`/tickets/${id}/attachments`);
  assert.equal(atts.items[0].size, data.length);
  assert.equal(atts.items[0].sha256, createHash('sha256').update(data).digest('hex'));
  assertClean(assert, page);
});
