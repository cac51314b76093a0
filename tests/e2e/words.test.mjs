// People's words on screen, not codes (issue 12, items 14 and 18): the
// timeline renders every history kind through the catalogue, no "null"
// is ever written, admin tables name records instead of "#6", the user
// and role read as one phrase, and a customer is spoken to as a customer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { setup, login, apiAs, assertClean, PHONE } from './lib.mjs';
import { useCatalogue } from '../../web/js/i18n.js';
import { historyText } from '../../web/js/history.js';

const web = new URL('../../web/', import.meta.url).pathname;
const zh = JSON.parse(readFileSync(web + 'i18n/zh-CN.json', 'utf8'));
const en = JSON.parse(readFileSync(web + 'i18n/en.json', 'utf8'));

// Codes and English that must not reach a Chinese screen.
const RAW = /\b(fixed|resolution_notes|resolution_code|min|notified|system|technical coordination|breached|response|resolution|onsite|running|paused|met|cancelled|working|sla_\w+|null|undefined)\b|->/;

// One row of every kind the server writes (src/domain/tk_*.c, sla_*.c).
const ROWS = [
  { field: 'created', old: null, new: 'INC000001' },
  { field: 'status', old: null, new: 'new' },
  { field: 'status', old: 'in_progress', new: 'pending', note: '等待客户提供日志' },
  { field: 'assignee', old: null, new: '李娜' },
  { field: 'group', old: '综合调度室', new: '基础网络室' },
  { field: 'category', old: null, new: '网络/交换机' },
  { field: 'resolution_code', old: null, new: 'fixed' },
  { field: 'resolution_notes', old: null, new: '更换了光模块' },
  { field: 'title', old: '旧标题', new: '新标题' },
  { field: 'description', old: null, new: null },
  { field: 'channel', old: 'phone', new: 'email' },
  { field: 'impact', old: '3', new: '1' },
  { field: 'urgency', old: '2', new: '1' },
  { field: 'priority', old: 'P3', new: 'P1' },
  { field: 'fault_level', old: '3', new: '1', note: '影响扩大' },
  { field: 'link', old: null, new: 'INC000002' },
  { field: 'link', old: 'INC000002', new: null },
  { field: 'sla_escalation', old: null, new: 'response 50%', note: 'nobody to notify' },
  { field: 'sla_escalation', old: null, new: 'response 80%', note: 'notified: 陈静' },
  { field: 'sla_escalation', old: null, new: 'resolution breached', note: 'notified: 陈静, 赵敏' },
  { field: 'coordination', old: null, new: '技术协调会 / technical coordination meeting', note: '陈静, 赵敏' },
  { field: 'coordination', old: null, new: '技术协调会 / technical coordination meeting', note: 'nobody to call in' },
  { field: 'sla_response', old: 'running', new: 'met', note: '12 of 120 working min' },
  { field: 'sla_resolution', old: 'running', new: 'breached', note: '500 of 480 working min' },
  { field: 'sla_onsite', old: 'running', new: 'met', note: 'arrived on site' },
  { field: 'sla_onsite', old: 'running', new: 'cancelled', note: 'the policy has no such target' },
  { field: 'sla_resolution', old: 'running', new: 'cancelled', note: 'cancelled' },
  { field: 'sla_resolution', old: null, new: 'running', note: 'restarted on reopen' },
  { field: 'sla_response', old: '2026-12-07T03:00:00Z', new: '2026-12-08T03:00:00Z', note: 'the business calendar changed' },
  { field: 'sla_policy', old: '默认', new: '一级故障', note: 'response: 120 min -> 30 min; onsite: dropped; resolution: 480 min' },
  { field: 'sla_clock', old: 'running', new: 'paused', note: 'resolution' },
].map((r, i) => ({ id: i + 1, at: '2026-12-07T02:00:00Z', actor: i % 2 ? { id: 7, name: '李娜' } : { id: null, name: 'system' }, ...r }));

test('every history kind reads in Chinese words, without codes', () => {
  useCatalogue('zh-CN', zh);
  for (const r of ROWS) {
    const { who, what, note } = historyText(r);
    const line = `${who} ${what} ${note}`;
    assert.doesNotMatch(line, RAW, `${r.field}: ${line}`);
    assert.ok(what, r.field);
  }
  const say = (i) => { const x = historyText(ROWS[i]); return `${x.who} ${x.what} ${x.note}`; };
  assert.match(say(0), /^系统 /, 'the actor "system" is 系统');
  assert.match(say(6), /已修复/);
  assert.match(say(7), /解决说明.*更换了光模块/);
  assert.match(say(18), /已通知：陈静/);
  assert.match(say(19), /陈静、赵敏/);
  assert.match(say(20), /技术协调会/);
  assert.match(say(22), /12分/);
  assert.match(say(29), /响应时限：2小时 → 30分/);
});

test('the same rows in English read as English', () => {
  useCatalogue('en', en);
  for (const r of ROWS) {
    const { what, note } = historyText(r);
    assert.doesNotMatch(`${what} ${note}`, /->|sla_|\bnull\b|技术协调会 \/|时限|已通知/, r.field);
  }
  assert.match(historyText(ROWS[18]).note, /^Notified: 陈静$/);
  assert.match(historyText(ROWS[29]).note, /response target: 2 h → 30 min/i);
  useCatalogue('zh-CN', zh);
});

test('the UI never calls the DOM\'s own append(), which writes null as "null"', () => {
  const dir = web + 'js/';
  const files = [...readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => dir + f),
    ...readdirSync(dir + 'views').map((f) => dir + 'views/' + f)];
  for (const f of files) {
    if (f.endsWith('/dom.js')) continue;
    assert.doesNotMatch(readFileSync(f, 'utf8'), /\.(append|prepend|before|after|replaceWith|replaceChildren)\(/, f);
  }
});

let env, admin;
before(async () => {
  env = await setup();
  admin = await apiAs(env.srv, 'admin');
});
after(async () => { if (env) await env.close(); });

const textOf = (page) => page.evaluate(() => document.body.innerText);

test('a worked ticket\'s timeline, compose box and fields show words, and no "null"', async () => {
  const lina = (await admin.get('/users?q=lina')).items[0];
  const tk = await admin.post('/tickets', { type: 'incident', title: '核心交换机端口闪断', channel: 'phone', impact: 2, urgency: 2,
    group_id: lina.group_ids[0], assignee_id: lina.id });
  const other = await admin.post('/tickets', { type: 'incident', title: '关联的工单', channel: 'phone' });
  await admin.post(`/tickets/${tk.id}/links`, { ticket_id: other.id }).catch(() => null);
  await admin.post(`/tickets/${tk.id}/transitions`, { to: 'in_progress' });
  await admin.post(`/tickets/${tk.id}/transitions`, { to: 'resolved', resolution_code: 'fixed', resolution_notes: '更换了光模块' });
  // a demo ticket the scheduler escalated: actor system, "notified: …"
  const esc = (await admin.get('/tickets?sla_state=breached&limit=20')).items[0];
  const page = await env.newPage();
  await login(page, 'chenjing');
  for (const id of [tk.id, esc.id]) {
    await page.goto('/tickets/' + id);
    await page.waitForSelector('#timeline li');
    const tl = await page.locator('#timeline').innerText();
    assert.doesNotMatch(tl, RAW, tl);
    // each compose mode: no "null" before its button
    for (const mode of ['reply', 'note', 'worklog', 'attach']) {
      await page.click(`label[for="mode-${mode}"]`);
      await page.waitForSelector(`#form-${mode}`);
      assert.doesNotMatch(await page.locator('#compose').innerText(), /\bnull\b/, mode);
    }
    assert.doesNotMatch(await textOf(page), /\bnull\b|\bundefined\b/);
  }
  await page.goto('/tickets/' + tk.id);
  await page.waitForSelector('#timeline li');
  const tl = await page.locator('#timeline').innerText();
  assert.match(tl, /解决方式：— → 已修复/);
  assert.match(tl, /更换了光模块/);
  await page.goto('/tickets/' + esc.id);
  await page.waitForSelector('#timeline li');
  assert.match(await page.locator('#timeline').innerText(), /系统[\s\S]*时限已/);
  assertClean(assert, page);
});

test('a manager sees the priority matrix and admin tables with names, never "#6" or "null"', async () => {
  const page = await env.newPage();
  await login(page, 'zhaomin');
  await page.goto('/admin/priority-matrix');
  await page.waitForSelector('#matrix-form table');
  assert.doesNotMatch(await textOf(page), /\bnull\b/);
  const groups = (await admin.get('/groups')).items;
  await page.goto('/admin/groups');
  await page.waitForSelector('.admin-table tbody tr');
  const gtext = await page.locator('.admin-table').innerText();
  assert.doesNotMatch(gtext, /#\d+/);
  const sup = (await admin.get('/users/' + groups.find((g) => g.supervisor_id).supervisor_id));
  assert.ok(gtext.includes(sup.display_name), 'the supervisor by name');
  await page.goto('/admin/categories');
  await page.waitForSelector('.admin-table tbody tr');
  const ctext = await page.locator('.admin-table').innerText();
  assert.doesNotMatch(ctext, /#\d+/);
  assert.ok(groups.some((g) => ctext.includes(g.name)), 'the default group by name');
  await page.goto('/admin/users');
  await page.waitForSelector('.admin-table tbody tr');
  assert.doesNotMatch(await page.locator('.admin-table').innerText(), /#\d+|\bnull\b/);
  assert.equal(await page.locator('#who').innerText(), '赵敏（运维经理）');
  // English: the name and the translated role, apart
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.documentElement.lang === 'en' && document.querySelector('#who'));
  assert.equal(await page.locator('#who').innerText(), '赵敏 (Manager)');
  await page.selectOption('#lang', 'zh-CN');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assertClean(assert, page);
});

test('a customer is spoken to as a customer: 回复 / 补充说明, 报告故障 / 提交故障, 撤销故障', async () => {
  const page = await env.newPage(PHONE);
  await login(page, 'hd_sun');
  await page.goto('/portal/new?type=incident');
  await page.waitForSelector('#new-ticket');
  assert.equal(await page.locator('#new-heading').innerText(), '报告故障');
  assert.equal(await page.locator('#new-submit').innerText(), '提交故障');
  await page.locator('#new-ticket input[name=title]').fill('财务系统无法登录');
  await page.locator('#new-submit').click();
  await page.waitForURL(/\/tickets\/\d+$/);
  await page.waitForSelector('#compose');
  const compose = await page.locator('#compose').innerText();
  assert.doesNotMatch(compose, /回复客户|\bnull\b/);
  assert.match(compose, /回复 \/ 补充说明/);
  assert.equal(await page.locator('#form-reply button[type=submit]').innerText(), '发送');
  const cancel = page.locator('#actions [data-to="cancelled"]');
  assert.equal(await cancel.innerText(), '撤销故障');
  await cancel.click();
  assert.equal(await page.locator('#panel h2').innerText(), '撤销故障');
  await page.goto('/portal/new?type=request');
  await page.waitForSelector('#new-ticket');
  assert.equal(await page.locator('#new-heading').innerText(), '提交服务请求');
  assert.equal(await page.locator('#new-submit').innerText(), '提交请求');
  // the menu entry leads to a form for either kind: it names neither
  assert.equal(await page.locator('a[data-nav="/portal/new"]').textContent(), '提交工单');
  // switching the type changes the words
  await page.locator('#new-ticket .seg-item', { hasText: '报告故障' }).click();
  assert.equal(await page.locator('#new-submit').innerText(), '提交故障');
  assertClean(assert, page);
});
