// The customer portal: submit a request, follow it without ever seeing
// internal notes, and confirm it once resolved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, apiAs, assertClean, PHONE } from './lib.mjs';

let env, admin;
before(async () => {
  env = await setup();
  admin = await apiAs(env.srv, 'admin');
});
after(async () => { await env.close(); });

test('a customer submits, sees no internal note, replies and confirms', async () => {
  const page = await env.newPage(PHONE);
  await login(page, 'hd_sun');
  await page.waitForURL(/\/portal$/);
  await page.click('#portal-request');
  const form = page.locator('#new-ticket');
  await form.waitFor();
  const cats = (await admin.get('/categories?limit=200')).items.filter((c) => c.parent_id && c.active !== false && !c.requires_approval);
  await form.getByLabel('分类').selectOption(String(cats[0].id));
  await form.getByLabel('标题', { exact: true }).fill('申请开通财务系统测试账号');
  await form.getByLabel('描述').fill('新员工入职，需要测试环境账号。');
  // the customer states urgency; impact is the desk's and not offered
  assert.equal(await form.locator('[name=impact]').count(), 0);
  await form.getByLabel('紧急程度').selectOption('2');
  await form.getByRole('button', { name: '提交请求' }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  const id = Number(new URL(page.url()).pathname.split('/').pop());
  assert.equal((await admin.get('/tickets/' + id)).urgency, 2);
  await page.waitForSelector('#tk-title');
  assert.equal(await page.locator('#tk-title').textContent(), '申请开通财务系统测试账号');
  // customers get reply + attach only, and no staff actions
  assert.equal(await page.locator('#mode-note').count(), 0);
  assert.equal(await page.locator('#take, #reassign, #regrade, #edit').count(), 0);

  // staff work it: an internal note, a public reply, then resolve
  const t0 = await admin.get('/tickets/' + id);
  await admin.post(`/tickets/${id}/comments`, { body: '内部备注：测试库管理员密码在运维保险柜', internal: true });
  await admin.post(`/tickets/${id}/comments`, { body: '已为您开通测试账号，请查收邮件。', internal: false });
  const staff = (await admin.get('/users?role=engineer&limit=50')).items;
  const eng = staff.find((u) => !t0.group_id || (u.group_ids || []).includes(t0.group_id)) || staff[0];
  if (t0.group_id && !(eng.group_ids || []).includes(t0.group_id)) throw new Error('no engineer in the ticket group');
  await admin.call('PATCH', '/tickets/' + id, { assignee_id: eng.id }, { 'If-Match': String(t0.version) });
  await admin.post(`/tickets/${id}/transitions`, { to: 'in_progress' });
  await admin.post(`/tickets/${id}/transitions`, { to: 'resolved', resolution_code: 'fixed', resolution_notes: '账号已开通' });

  await page.reload();
  await page.locator('.tl-comment', { hasText: '已为您开通测试账号' }).waitFor();
  const html = await page.content();
  assert.ok(!html.includes('测试库管理员密码'), 'internal note never reaches the customer');
  assert.equal(await page.locator('.tl-internal').count(), 0);

  await page.fill('#form-reply textarea[name=body]', '收到，谢谢！');
  await page.click('#form-reply button[type=submit]');
  await page.locator('.tl-comment', { hasText: '收到，谢谢' }).waitFor();

  await page.click('#actions [data-to="closed"]');
  await page.click('#panel button[type=submit]');
  await page.waitForFunction(() => document.querySelector('.tk-head .badge').textContent === '已关闭');
  assert.equal((await admin.get('/tickets/' + id)).status, 'closed');
  // phone width: nothing wider than the screen
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
  assertClean(assert, page);
});

test('a customer cannot open another organisation\'s ticket or staff pages', async () => {
  const other = await admin.post('/organizations', { name: '华北测试单位' });
  const cust = await admin.post('/users', { login: 'hb_li', display_name: '李华北', role: 'customer', organization_id: other.id, password: 'demo12345' });
  assert.ok(cust.id);
  const theirs = await admin.post('/tickets', { type: 'request', title: '华北的工单', channel: 'phone', requester_id: cust.id });
  const page = await env.newPage();
  await login(page, 'hd_zhou');
  await page.goto('/tickets/' + theirs.id);
  await page.waitForSelector('.alert.error');
  assert.equal(await page.locator('#tk-title').count(), 0);
  await page.goto('/admin');
  await page.waitForSelector('main h1');
  assert.equal(await page.locator('#admin-area').count(), 0);
  await page.goto('/tickets');
  await page.waitForURL(/\/portal$/);
  await page.waitForSelector('#results');
  assert.ok(!(await page.locator('#results').textContent()).includes('华北的工单'));
});
