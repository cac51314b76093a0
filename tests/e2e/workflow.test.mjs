// The agent workspace in a real browser: the desk logs a phone call, an
// engineer works a ticket to resolved, a supervisor reassigns and
// re-grades, a stale edit gets the conflict banner, and a hostile title
// stays text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, apiAs, assertClean, applyFilters } from './lib.mjs';

let env, admin, people, groups, cats;
before(async () => {
  env = await setup();
  admin = await apiAs(env.srv, 'admin');
  people = (await admin.get('/users?limit=200')).items;
  groups = (await admin.get('/groups?limit=200')).items;
  cats = (await admin.get('/categories?limit=200')).items;
});
after(async () => { await env.close(); });

const user = (login) => people.find((u) => u.login === login);
const membersOf = (g) => g.member_ids || [];
const ticketId = (page) => Number(new URL(page.url()).pathname.split('/').pop());
const status = (page) => page.locator('.tk-head .badges .badge').first().textContent();

// A ticket through the API in a group the given engineer belongs to.
async function ticketFor(engineerLogin, extra = {}) {
  const eng = user(engineerLogin);
  const g = groups.find((x) => membersOf(x).includes(eng.id));
  assert.ok(g, `${engineerLogin} is in a group`);
  return admin.post('/tickets', { type: 'incident', title: '核心交换机端口告警', description: '3 号楼汇聚交换机 Gi0/1 端口频繁 up/down',
    channel: 'phone', impact: 2, urgency: 2, group_id: g.id, ...extra });
}

test('the desk creates a ticket from a phone call', async () => {
  const page = await env.newPage();
  await login(page, 'zhangwei');
  await page.click('a[data-nav="/tickets/new"]');
  const form = page.locator('#new-ticket');
  await form.waitFor();
  // requester lookup by name, then by phone
  const sun = user('hd_sun');
  await page.fill('#requester-q', sun.display_name.slice(0, 1));
  await page.locator('#requester-results button', { hasText: sun.display_name }).first().click();
  assert.match(await page.locator('#requester-chosen').textContent(), new RegExp(sun.display_name));
  if (sun.phone) {
    await page.fill('#requester-q', sun.phone.slice(-4));
    await page.locator('#requester-results button', { hasText: sun.display_name }).first().click();
  }
  // validation from the API at the field: no title
  await form.getByRole('button', { name: '提交工单' }).click();
  await page.waitForSelector('.field[data-field="title"].invalid');
  assert.ok((await page.locator('.field[data-field="title"] .field-error').textContent()).length > 0);
  // impact × urgency shows the computed priority as you pick
  await form.getByLabel('影响范围').selectOption('1');
  await form.getByLabel('紧急程度').selectOption('1');
  assert.equal(await page.locator('#computed-priority').textContent(), 'P1');
  await form.getByLabel('紧急程度').selectOption('3');
  const matrix = await admin.get('/priority-matrix');
  const expect = matrix.matrix[0][2];
  assert.equal(await page.locator('#computed-priority').textContent(), typeof expect === 'number' ? 'P' + expect : expect);
  await form.getByLabel('紧急程度').selectOption('1');
  const leaf = cats.find((c) => c.parent_id && c.active !== false && !c.requires_approval);
  await form.getByLabel('分类').selectOption(String(leaf.id));
  await form.getByLabel('标题', { exact: true }).fill('客户来电：财务系统无法登录');
  await form.getByLabel('描述').fill('孙先生来电，财务系统登录页报 500 错误，影响整个财务部。');
  await form.getByRole('button', { name: '提交工单' }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  await page.waitForSelector('#tk-title');
  assert.equal(await page.locator('#tk-title').textContent(), '客户来电：财务系统无法登录');
  const t = await admin.get('/tickets/' + ticketId(page));
  assert.equal(t.channel, 'phone');
  assert.equal(t.priority, 'P1');
  assert.equal(t.requester_id, sun.id);
  assert.match(await page.locator('#fields').textContent(), /电话/);
  assertClean(assert, page);
});

test('an engineer takes a ticket, replies, logs work and resolves it', async () => {
  const tk = await ticketFor('lina');
  const page = await env.newPage();
  await login(page, 'lina', undefined, '/login?next=/tickets/' + tk.id);
  await page.waitForSelector('#take');
  await page.click('#take');
  await page.waitForFunction(() => document.querySelector('.tk-head .badge').textContent === '已指派');
  assert.match(await page.locator('#fields').textContent(), new RegExp(user('lina').display_name));

  await page.click('#actions [data-to="in_progress"]');
  await page.click('#panel button[type=submit]');
  await page.waitForFunction(() => document.querySelector('.tk-head .badge').textContent === '处理中');

  await page.fill('#form-reply textarea[name=body]', '您好，已远程登录设备排查，正在更换光模块。');
  await page.click('#form-reply button[type=submit]');
  await page.locator('.tl-comment', { hasText: '正在更换光模块' }).waitFor();

  await page.click('label[for=mode-worklog]');
  await page.fill('#form-worklog input[name=minutes]', '45');
  await page.fill('#form-worklog textarea[name=note]', '现场更换光模块');
  await page.click('#form-worklog button[type=submit]');
  await page.locator('.tl-worklog', { hasText: '现场更换光模块' }).waitFor();
  assert.match(await page.locator('.tl-worklog').last().textContent(), /45分钟/);

  await page.click('label[for=mode-note]');
  await page.fill('#form-note textarea[name=body]', '内部：光模块批次有问题，已通知厂商');
  await page.click('#form-note button[type=submit]');
  const note = page.locator('.tl-internal', { hasText: '光模块批次有问题' });
  await note.waitFor();
  assert.match(await note.textContent(), /内部备注/);

  await page.click('#actions [data-to="resolved"]');
  await page.selectOption('#panel select[name=resolution_code]', 'fixed');
  await page.fill('#panel textarea[name=resolution_notes]', '更换光模块后端口稳定');
  await page.click('#panel button[type=submit]');
  await page.waitForFunction(() => document.querySelector('.tk-head .badge').textContent === '已解决');
  const t = await admin.get('/tickets/' + tk.id);
  assert.equal(t.status, 'resolved');
  assert.equal(t.resolution_code, 'fixed');
  // every change is on the timeline
  const tl = await page.locator('#timeline').textContent();
  assert.match(tl, /状态：处理中 → 已解决/);
  assertClean(assert, page);
});

test('a supervisor reassigns and re-grades with a reason', async () => {
  const sup = user('chenjing');
  const g = groups.find((x) => x.supervisor_id === sup.id && membersOf(x).filter((id) => people.find((u) => u.id === id && u.role === 'engineer')).length >= 1);
  assert.ok(g, 'chenjing supervises a group with engineers');
  const engineers = membersOf(g).map((id) => people.find((u) => u.id === id)).filter((u) => u && u.role === 'engineer');
  const tk = await admin.post('/tickets', { type: 'incident', title: '机房空调告警', channel: 'monitoring', impact: 2, urgency: 2, group_id: g.id, assignee_id: engineers[0].id });
  const page = await env.newPage();
  await login(page, 'chenjing', undefined, '/login?next=/tickets/' + tk.id);
  await page.click('#reassign');
  const target = engineers[1] || sup;
  await page.selectOption('#panel select[name=assignee_id]', `${g.id}:${target.id}`);
  await page.click('#panel button[type=submit]');
  await page.waitForFunction((name) => document.querySelector('#fields').textContent.includes(name), target.display_name);

  await page.click('#regrade');
  await page.selectOption('#panel select[name=fault_level]', '1');
  await page.fill('#panel textarea[name=regrade_reason]', '影响扩大到整个机房');
  await page.click('#panel button[type=submit]');
  await page.waitForFunction(() => document.querySelector('.tk-head .fault') && document.querySelector('.tk-head .fault').textContent === '一级故障');
  const t = await admin.get('/tickets/' + tk.id);
  assert.equal(t.fault_level, 1);
  assert.equal(t.assignee_id, target.id);
  await page.locator('#timeline .tl-history', { hasText: '影响扩大到整个机房' }).waitFor();
  assertClean(assert, page);
});

test('a stale edit tells the user someone else changed the ticket and what', async () => {
  const sup = user('chenjing');
  const g = groups.find((x) => x.supervisor_id === sup.id);
  const tk = await admin.post('/tickets', { type: 'incident', title: '原标题：VPN 掉线', channel: 'phone', group_id: g.id });
  const page = await env.newPage();
  await login(page, 'chenjing', undefined, '/login?next=/tickets/' + tk.id);
  await page.waitForSelector('#regrade');
  // meanwhile someone else edits it
  const r = await env.srv.patch('/api/v1/tickets/' + tk.id, { title: '新标题：VPN 全网掉线', impact: 1 }, { token: admin.token, headers: { 'If-Match': String(tk.version) } });
  assert.equal(r.status, 200, r.text);
  await page.click('#regrade');
  await page.selectOption('#panel select[name=fault_level]', '2');
  await page.fill('#panel textarea[name=regrade_reason]', '影响范围扩大');
  await page.click('#panel button[type=submit]');
  const banner = page.locator('#conflict');
  await banner.waitFor({ state: 'visible' });
  const text = await banner.textContent();
  assert.match(text, /其他人刚刚修改了这张工单/);
  assert.match(text, /标题: 原标题：VPN 掉线 → 新标题：VPN 全网掉线/);
  assert.match(text, /影响范围/);
  assert.equal(await page.locator('#tk-title').textContent(), '新标题：VPN 全网掉线');
  // nothing of the stale edit was saved; a retry on the new version works
  assert.notEqual((await admin.get('/tickets/' + tk.id)).fault_level, 2);
  await page.click('#regrade');
  await page.selectOption('#panel select[name=fault_level]', '2');
  await page.fill('#panel textarea[name=regrade_reason]', '影响范围扩大');
  await page.click('#panel button[type=submit]');
  await page.waitForFunction(() => document.querySelector('.tk-head .fault') && document.querySelector('.tk-head .fault').textContent === '二级故障');
  assertClean(assert, page);
});

test('a ticket titled with HTML shows as text everywhere', async () => {
  const evil = '<img src=x onerror=alert(1)>';
  const tk = await admin.post('/tickets', { type: 'incident', title: evil, description: '<script>alert(2)</script><b>粗体</b>', channel: 'phone' });
  await admin.post(`/tickets/${tk.id}/comments`, { body: '<img src=y onerror=alert(3)>', internal: false });
  const page = await env.newPage();
  await login(page, 'zhangwei');
  await page.goto('/tickets');
  await page.locator('#results a.title', { hasText: evil }).first().waitFor();
  assert.equal(await page.locator('#results img').count(), 0);
  await page.goto('/tickets/' + tk.id);
  await page.waitForSelector('#tk-title');
  assert.equal(await page.locator('#tk-title').textContent(), evil);
  assert.equal(await page.locator('#tk-desc').textContent(), '<script>alert(2)</script><b>粗体</b>');
  await page.locator('.tl-comment', { hasText: '<img src=y' }).waitFor();
  assert.equal(await page.locator('#ticket img, #ticket script, #ticket b').count(), 0);
  assert.deepEqual(page.dialogs, []);
  assertClean(assert, page);
});

test('the home page shows my tickets and counts, each a click away', async () => {
  const page = await env.newPage();
  await login(page, 'lina');
  await page.waitForSelector('#home-counts table');
  const mine = page.locator('#home-mine a.num').first();
  if (await mine.count()) {
    await mine.click();
    await page.waitForURL(/\/tickets\/\d+$/);
    await page.goBack();
    await page.waitForSelector('#home-counts table');
  }
  await page.locator('#home-counts tbody a').first().click();
  await page.waitForURL(/\/tickets\?status=/);
  await page.waitForSelector('#results[data-rendered]');
  assertClean(assert, page);
});

test('the list filters, pages with a cursor and keeps saved views on the server for their user', async () => {
  for (let i = 0; i < 55; i++) await admin.post('/tickets', { type: 'request', title: `批量申请 ${i} 号：开通 VPN 账号`, channel: 'email' });
  const page = await env.newPage();
  await login(page, 'zhangwei');
  await page.goto('/tickets?type=request');
  await page.waitForSelector('#results[data-rendered="50"]');
  await page.click('#next-page');
  await page.waitForURL(/cursor=/);
  await page.waitForSelector('#results[data-rendered]');
  assert.ok(Number(await page.getAttribute('#results', 'data-rendered')) >= 5);
  // full-text search in Chinese, from the form
  await page.goto('/tickets');
  await page.fill('#filters input[name=q]', '开通');
  await applyFilters(page, /q=%E5%BC%80%E9%80%9A/);
  assert.match(await page.locator('#results').textContent(), /开通 VPN/);
  // save the view, come back to it from elsewhere
  await page.fill('input[name=view_name]', 'VPN 申请');
  await page.click('#views button:has-text("保存当前筛选为视图")');
  await page.goto('/tickets');
  await page.waitForSelector('#results[data-rendered]');
  await page.selectOption('select[name=view]', { label: 'VPN 申请' });
  await page.waitForURL(/q=/);
  await page.waitForFunction(() => document.querySelector('#filters input[name=q]')?.value === '开通');
  await page.waitForSelector('#results[data-rendered]');
  assert.match(await page.locator('#results').textContent(), /开通 VPN/);
  // a bad filter value is shown at the form
  await page.goto('/tickets?sort=sideways');
  await page.waitForSelector('#filters .form-error:not(:empty), #filters .field.invalid');
  assertClean(assert, page);

  // the view lives on the server: a fresh browser profile (a new login,
  // no cookies, no localStorage) of the same user has it and applies it
  const other = await env.newPage();
  await login(other, 'zhangwei');
  await other.goto('/tickets');
  await other.waitForSelector('#results[data-rendered]');
  await other.selectOption('select[name=view]', { label: 'VPN 申请' });
  await other.waitForURL(/q=/);
  await other.waitForFunction(() => document.querySelector('#filters input[name=q]')?.value === '开通');
  await other.waitForSelector('#results[data-rendered]');
  assert.match(await other.locator('#results').textContent(), /开通 VPN/);
  // the applied view is the chosen one: rename it there, and the first browser sees the new name
  assert.equal(await other.locator('select[name=view] option:checked').textContent(), 'VPN 申请');
  await other.fill('input[name=view_name]', 'VPN 开通申请');
  await other.click('#views button:has-text("重命名所选视图")');
  await other.waitForFunction(() => [...document.querySelectorAll('select[name=view] option')].some((o) => o.textContent === 'VPN 开通申请'));
  await page.goto('/tickets');
  await page.waitForSelector('#results[data-rendered]');
  assert.deepEqual(await page.locator('select[name=view] option').allTextContents(), ['选择视图…', 'VPN 开通申请']);
  assertClean(assert, other);

  // another user, in another fresh profile, does not see it
  const third = await env.newPage();
  await login(third, 'lina');
  await third.goto('/tickets');
  await third.waitForSelector('#results[data-rendered]');
  assert.deepEqual(await third.locator('select[name=view] option').allTextContents(), ['选择视图…']);
  assertClean(assert, third);

  // and deleting it from the first browser removes it for the user everywhere
  await page.selectOption('select[name=view]', { label: 'VPN 开通申请' });
  await page.waitForURL(/q=/);
  await page.waitForSelector('#results[data-rendered]');
  await page.click('#views button:has-text("删除视图")');
  await page.waitForFunction(() => document.querySelectorAll('select[name=view] option').length === 1);
  await other.goto('/tickets');
  await other.waitForSelector('#results[data-rendered]');
  assert.deepEqual(await other.locator('select[name=view] option').allTextContents(), ['选择视图…']);
  assertClean(assert, page);
});
