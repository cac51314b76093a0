// SLA in the browser, on the server's fake clock (YW_FAKE_NOW, read by
// src/cli/main.c): the policy admin screen (a validation error at its
// field, then a policy saved, reordered; read-only for managers and
// supervisors), a ticket's badges going running -> warning -> breached as
// the server restarts later in time, met and paused clocks, the bell with
// the real escalation notification in Chinese and English, marked read,
// and the SLA filters of the home page and the list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, apiAs, assertClean, applyFilters } from './lib.mjs';

// Monday 2026-03-02 10:00 in Shanghai
const T0 = Date.parse('2026-03-02T02:00:00Z') / 1000;
const P = '/sla/policies';
const SHOTS = process.env.YW_SCREENSHOTS ? new URL('../../docs/screenshots/', import.meta.url).pathname : null;
let env, admin, ids, tA, tB;

async function waitFor(fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Restarts the server at T0 + minutes; returns the admin API of the new one.
async function at(minutes) {
  process.env.YW_FAKE_NOW = String(T0 + minutes * 60);
  if (env) await env.restart();
  else env = await setup();
  admin = await apiAs(env.srv, 'admin');
  return admin;
}

before(async () => {
  await at(0);
  ids = {};
  for (const u of env.srv.sql('SELECT id, login FROM users')) ids[u.login] = u.id;
  ids.group = env.srv.sql("SELECT id FROM groups WHERE name = '业务支撑室'")[0].id;
  ids.cal = env.srv.sql("SELECT id FROM calendars WHERE name = '7x24'")[0].id;
  // a 7x24 policy for P1 incidents, first in the order: response 60 min
  // (warning at 50 %), resolution 240 min; pending pauses the clocks
  const p = await admin.post(P, {
    name: 'e2e 全天候 P1', match: { type: 'incident', priority: 'P1' }, pause_on_pending: true,
    targets: {
      response: { minutes: 60, calendar_id: ids.cal, thresholds: [50],
        steps: [{ at: 50, notify: ['assignee'] }, { at: 100, notify: ['assignee', 'supervisor'] }] },
      resolution: { minutes: 240, calendar_id: ids.cal, thresholds: [50], steps: [{ at: 50, notify: ['assignee'] }] },
    },
  });
  const order = (await admin.get(P)).items.map((x) => x.id).filter((x) => x !== p.id);
  await admin.call('PUT', P + '/order', { ids: [p.id, ...order] });
  const eng = await apiAs(env.srv, 'liuyang');
  const mk = (title) => admin.post('/tickets', { type: 'incident', title, description: '生产环境核心业务受影响', channel: 'phone',
    impact: 1, urgency: 1, fault_level: 2, group_id: ids.group, assignee_id: ids.liuyang });
  tA = await mk('营业厅缴费系统全部中断');
  tB = await mk('省公司邮件系统无法发信');
  // B: acknowledged (response met), then waiting for the customer (resolution paused)
  await eng.post(`/tickets/${tB.id}/transitions`, { to: 'in_progress' });
  await eng.post(`/tickets/${tB.id}/transitions`, { to: 'pending', note: '等待客户提供日志' });
});
after(async () => { delete process.env.YW_FAKE_NOW; if (env) await env.close(); });

const badge = (page, target) => page.locator(`#sla [data-sla-target="${target}"]`);

test('SLA policies: a validation error at its field, a policy saved and moved up; managers and supervisors read only', async () => {
  const page = await env.newPage();
  await login(page, 'admin', 'admin-pass-123');
  await page.goto('/admin/sla-policies');
  await page.locator('#sla-policies tr', { hasText: 'e2e 全天候 P1' }).waitFor();
  await page.click('#admin-new');
  const form = page.locator('#policy-form');
  await form.waitFor();
  await form.getByLabel('名称 *').fill('夜间值守');
  await form.locator('select[name="match.type"]').selectOption('request');
  await form.locator('select[name="response.calendar_id"]').selectOption(String(ids.cal));
  await form.locator('input[name="response.thresholds"]').fill('80, 50');
  await form.locator('input[name="resolution.minutes"]').fill('480');
  await form.locator('select[name="resolution.calendar_id"]').selectOption(String(ids.cal));
  const before = env.srv.snapshot();
  // no response minutes: the form's own message at that field, nothing sent
  await form.locator('button[type=submit]').click();
  const minutes = form.locator('.field[data-field="targets.response.minutes"]');
  await page.waitForSelector('#policy-form .field.invalid[data-field="targets.response.minutes"]');
  assert.match(await minutes.locator('.field-error').textContent(), /请填写时限/);
  await form.locator('input[name="response.minutes"]').fill('30');
  // thresholds out of order: at the thresholds field of the response target
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('#policy-form .field.invalid[data-field="targets.response.thresholds"]');
  assert.match(await form.locator('.field[data-field="targets.response.thresholds"] .field-error').textContent(), /必须按升序排列/);
  assert.equal(env.srv.snapshot(), before, 'a rejected policy writes nothing');
  // the escalation rows follow the thresholds
  await form.locator('input[name="response.thresholds"]').fill('50, 80');
  await form.locator('input[name="response.thresholds"]').dispatchEvent('change');
  const step80 = form.locator('#target-response .step[data-at="80"]');
  await step80.locator('input[data-notify="supervisor"]').check();
  await form.locator('#target-response .step[data-at="100"] input[data-notify="manager"]').check();
  await form.locator('button[type=submit]').click();
  const row = page.locator('#sla-policies tr', { hasText: '夜间值守' });
  await row.waitFor();
  let list = (await admin.get(P)).items;
  const mine = list.find((x) => x.name === '夜间值守');
  assert.equal(mine.match.type, 'request');
  assert.equal(mine.targets.response.minutes, 30);
  assert.deepEqual(mine.targets.response.thresholds, [50, 80]);
  assert.deepEqual(mine.targets.response.steps, [{ at: 80, notify: ['supervisor'], coordination: false },
    { at: 100, notify: ['manager'], coordination: false }]);
  assert.equal(mine.targets.onsite, null);
  assert.equal(mine.position, list.length, 'a new policy comes last');
  // move it up one place
  await row.getByRole('button', { name: '上移「夜间值守」' }).click();
  await waitFor(async () => (await admin.get(P)).items.findIndex((x) => x.name === '夜间值守') === list.length - 2);
  await page.locator('#sla-policies tbody tr').nth(list.length - 2).filter({ hasText: '夜间值守' }).waitFor();
  list = (await admin.get(P)).items;
  assert.equal(list[0].name, 'e2e 全天候 P1', 'the rest keep their order');
  if (SHOTS) {
    await page.goto('/admin/sla-policies?edit=' + list[0].id);
    await page.locator('#policy-form').waitFor();
    await page.screenshot({ path: SHOTS + 'desktop-sla-policies.png', fullPage: false });
  }
  assertClean(assert, page);

  // a manager reads, nothing to press
  const mgr = await env.newPage();
  await login(mgr, 'zhaomin');
  await mgr.goto('/admin/sla-policies');
  await mgr.locator('#sla-policies tr', { hasText: '夜间值守' }).waitFor();
  assert.equal(await mgr.locator('#admin-new').count(), 0);
  assert.equal(await mgr.locator('#sla-policies button[data-move]').count(), 0);
  await mgr.locator('#sla-policies tr', { hasText: '夜间值守' }).getByRole('link', { name: '查看' }).click();
  await mgr.locator('#policy-form').waitFor();
  assert.ok(await mgr.locator('#policy-form input[name=name]').isDisabled());
  assert.equal(await mgr.locator('#policy-form button[type=submit]').count(), 0);
  assertClean(assert, mgr);
  // a supervisor finds the policies in the navigation
  const sup = await env.newPage();
  await login(sup, 'huanglei');
  await sup.click('a[data-nav="/admin/sla-policies"]');
  await sup.locator('#sla-policies tr', { hasText: 'e2e 全天候 P1' }).waitFor();
  assert.equal(await sup.locator('#admin-new').count(), 0);
  assertClean(assert, sup);
});

test('a ticket\'s SLA badges: running, met and paused now; warning, then breached, as the server\'s time moves on', async () => {
  let page = await env.newPage();
  await login(page, 'liuyang', undefined, '/login?next=/tickets/' + tA.id);
  await badge(page, 'response').waitFor();
  assert.equal(await badge(page, 'response').getAttribute('data-sla-state'), 'running');
  assert.match(await badge(page, 'response').textContent(), /^响应 · 计时中 · 剩余/);
  assert.equal(await badge(page, 'resolution').getAttribute('data-sla-state'), 'running');
  assert.match(await badge(page, 'resolution').textContent(), /^解决 · 计时中 · 剩余/);
  await page.goto('/tickets/' + tB.id);
  await badge(page, 'response').waitFor();
  assert.equal(await badge(page, 'response').getAttribute('data-sla-state'), 'met');
  assert.match(await badge(page, 'response').textContent(), /^响应 · 已达成/);
  assert.equal(await badge(page, 'resolution').getAttribute('data-sla-state'), 'paused');
  assert.match(await badge(page, 'resolution').textContent(), /^解决 · 暂停 · 剩余/);
  // the list shows them compact, in the SLA column
  await page.goto('/tickets');
  const rowB = page.locator('#results tr', { hasText: tB.number });
  await rowB.locator('.c-sla [data-sla-state="paused"]').waitFor();
  assertClean(assert, page);
  await page.context().close();

  // 40 minutes later: the response clock passed 50 %
  await at(40);
  await waitFor(() => env.srv.sql(`SELECT COUNT(*) AS n FROM notifications WHERE ticket_id = ${tA.id} AND kind = 'sla_warning'`)[0].n >= 1);
  page = await env.newPage();
  await login(page, 'liuyang', undefined, '/login?next=/tickets/' + tA.id);
  await badge(page, 'response').waitFor();
  assert.equal(await badge(page, 'response').getAttribute('data-sla-state'), 'warning');
  assert.match(await badge(page, 'response').textContent(), /^响应 · 预警 · 剩余/);
  assert.equal(await badge(page, 'resolution').getAttribute('data-sla-state'), 'running');
  assertClean(assert, page);
  await page.context().close();

  // three hours in: response breached, resolution in warning
  await at(180);
  await waitFor(() => env.srv.sql(`SELECT COUNT(*) AS n FROM sla_timers WHERE ticket_id = ${tA.id} AND fired_at IS NULL AND due_at <= ${T0 + 180 * 60}`)[0].n === 0);
  page = await env.newPage();
  await login(page, 'liuyang', undefined, '/login?next=/tickets/' + tA.id);
  await badge(page, 'response').waitFor();
  assert.equal(await badge(page, 'response').getAttribute('data-sla-state'), 'breached');
  assert.match(await badge(page, 'response').textContent(), /^响应 · 已超时 2小时(\d+分钟)?$/);
  assert.equal(await badge(page, 'resolution').getAttribute('data-sla-state'), 'warning');
  // the escalations are in the timeline
  assert.match(await page.locator('#timeline').textContent(), /SLA 预警：响应时限已用 50%[\s\S]*已通知：刘洋/);
  assertClean(assert, page);
});

test('the bell shows the escalation in Chinese and in English, opens its ticket and marks it read', async () => {
  const page = await env.newPage();
  await login(page, 'liuyang');
  const unread = (await apiAs(env.srv, 'liuyang')).get;
  const before = (await unread('/notifications/unread-count')).unread;
  assert.ok(before >= 2, 'a warning and a breach for the assignee');
  await page.locator('#bell-count:not([hidden])').waitFor();
  assert.equal(await page.locator('#bell-count').textContent(), String(before));
  await page.click('#bell');
  const item = page.locator('#bell-list li.notif.unread', { hasText: '【SLA超时】' + tA.number });
  await item.waitFor();
  assert.match(await item.textContent(), /营业厅缴费系统全部中断/);
  // English: the same message in the other language
  await page.selectOption('#lang', 'en');
  await page.waitForSelector('#top:not([hidden])');
  await page.locator('#bell-count:not([hidden])').waitFor();
  await page.click('#bell');
  const en = page.locator('#bell-list li.notif.unread', { hasText: '[SLA breach] ' + tA.number });
  await en.waitFor();
  assert.match(await en.textContent(), /missed its response target/);
  const nid = Number(await en.getAttribute('data-id'));
  await en.locator('a.notif-subject').click();
  await page.waitForURL(new RegExp(`/tickets/${tA.id}$`));
  await page.locator('#sla [data-sla-target="response"]').waitFor();
  assert.match(await page.locator('#sla [data-sla-target="response"]').textContent(), /^Response · breached, 2 h( \d+ min)? overdue$/);
  const n = (await unread('/notifications?limit=200')).items.find((x) => x.id === nid);
  assert.ok(n.read_at, 'opening it marked it read');
  await waitFor(async () => (await page.locator('#bell-count').textContent()) === String(before - 1));
  // mark all read
  await page.click('#bell');
  await page.click('#bell-read-all');
  await page.locator('#bell-count[hidden]').waitFor({ state: 'attached' });
  assert.equal((await unread('/notifications/unread-count')).unread, 0);
  await waitFor(async () => (await page.locator('#bell-list li.notif.unread').count()) === 0);
  assertClean(assert, page);
});

test('SLA filters: home lists the tickets at risk; the list filters by SLA state and by due time', async () => {
  const page = await env.newPage();
  await login(page, 'huanglei');
  const risk = page.locator('#home-sla');
  await risk.locator('tr', { hasText: tA.number }).waitFor();
  assert.equal(await risk.locator('tr', { hasText: tB.number }).count(), 0, 'a paused clock is not at risk');
  assert.ok(await risk.locator('tr', { hasText: tA.number }).locator('[data-sla-state="breached"]').count());
  // the list form: SLA state "paused"
  await page.click('a[data-nav="/tickets"]');
  await page.waitForSelector('#results[data-rendered]');
  await page.locator('details.adv').evaluate((d) => { d.open = true; });
  await page.selectOption('select[name=sla_state]', 'paused');
  await applyFilters(page, /sla_state=paused/);
  assert.ok(await page.locator('#results tr', { hasText: tB.number }).count());
  assert.equal(await page.locator('#results tr', { hasText: tA.number }).count(), 0);
  // breached ones, as the server counts them
  await page.selectOption('select[name=sla_state]', 'breached');
  await applyFilters(page, /sla_state=breached/);
  const shown = await page.locator('#results tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.id)));
  const api = (await admin.get('/tickets?sla_state=breached&limit=50')).items.map((x) => x.id);
  assert.deepEqual(shown, api);
  assert.ok(shown.includes(tA.id));
  // due before: the resolution of A is due at T0 + 4 h; a time before that finds nothing of ours
  await page.goto('/tickets?breach_before=' + encodeURIComponent(new Date((T0 + 5 * 3600) * 1000).toISOString()));
  await page.waitForSelector('#results[data-rendered]');
  assert.ok(await page.locator('#results tr', { hasText: tA.number }).count());
  assert.equal(await page.locator('#results tr', { hasText: tB.number }).count(), 0, 'a paused clock is not due');
  assert.notEqual(await page.inputValue('input[name=breach_before]'), '');
  // a bad value from the URL: the API's message at the field
  await page.goto('/tickets?breach_before=tomorrow');
  await page.waitForSelector('.field.invalid[data-field="breach_before"]');
  assertClean(assert, page);
});
