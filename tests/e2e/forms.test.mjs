// Forms (issue 12, items 15 and 16): the SLA policy form saves on the
// first click after a threshold was edited; admin forms show every error
// at once; an expired session keeps what was typed and returns to it;
// fields with a length limit count; one assign control reaches anyone
// eligible, grouped by group.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, apiAs, assertClean } from './lib.mjs';

let env, admin, groups, people;
before(async () => {
  env = await setup();
  admin = await apiAs(env.srv, 'admin');
  groups = (await admin.get('/groups')).items;
  people = (await admin.get('/users?limit=200')).items;
});
after(async () => { if (env) await env.close(); });

const user = (login) => people.find((u) => u.login === login);

test('SLA policy: the first Save after editing a threshold saves', async () => {
  const pols = (await admin.get('/sla/policies')).items;
  const pol = pols.find((p) => p.targets && p.targets.response);
  // the whole form on screen, unscrolled: a redraw above the button moves it
  // (scrolled, the browser's scroll anchoring would hide that)
  const page = await env.newPage({ width: 1280, height: 2400 });
  await login(page, 'admin', 'admin-pass-123');
  await page.goto('/admin/sla-policies?edit=' + pol.id);
  const form = page.locator('#policy-form');
  await form.waitFor();
  const thr = form.locator('input[name="response.thresholds"]');
  const now = pol.targets.response.thresholds || [];
  const want = [...new Set([...now.filter((x) => x !== 90 && x !== 95), 90, 95])].sort((a, b) => a - b);
  // typed, then straight to Save: the click is the blur
  await thr.fill(want.join(', '));
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/admin\/sla-policies$/);
  const after = (await admin.get('/sla/policies/' + pol.id));
  assert.deepEqual(after.targets.response.thresholds, want);
  assertClean(assert, page);
});

test('an admin form shows every error at once and sends nothing until they are fixed', async () => {
  const page = await env.newPage();
  await login(page, 'admin', 'admin-pass-123');
  await page.goto('/admin/users?new=1');
  const form = page.locator('#record-form');
  await form.waitFor();
  await form.locator('input[name=email]').fill('not-an-address');
  const before = env.srv.snapshot();
  await form.locator('button[type=submit]').click();
  await page.waitForSelector('#record-form .field.invalid');
  const bad = await page.$$eval('#record-form .field.invalid', (fs) => fs.map((f) => f.dataset.field).sort());
  assert.deepEqual(bad, ['display_name', 'email', 'login', 'password']);
  for (const f of bad) assert.ok((await form.locator(`.field[data-field="${f}"] .field-error`).innerText()).length, f);
  assert.equal(env.srv.snapshot(), before, 'nothing was sent');
  // the server's own verdict still lands at its field: a login that is taken
  await form.locator('input[name=login]').fill('zhangwei');
  await form.locator('input[name=display_name]').fill('另一个张伟');
  await form.locator('input[name=email]').fill('zw2@example.cn');
  await form.locator('input[name=password]').fill('longenough-123');
  await form.locator('button[type=submit]').click();
  // the fixed fields are clear again, the login shows the server's message
  await page.waitForFunction(() => {
    const inv = document.querySelectorAll('#record-form .field.invalid');
    return inv.length === 1 && inv[0].dataset.field === 'login';
  });
  assert.ok((await form.locator('.field[data-field="login"] .field-error').innerText()).length);
  assertClean(assert, page);
});

test('fields with a length limit show a counter', async () => {
  const page = await env.newPage();
  await login(page, 'zhangwei');
  await page.goto('/tickets/new');
  const form = page.locator('#new-ticket');
  await form.waitFor();
  const count = form.locator('.field[data-field="title"] .counter');
  assert.equal(await count.innerText(), '0/200');
  await form.locator('input[name=title]').fill('交换机宕机');
  assert.equal(await count.innerText(), '5/200');
  assert.equal(await form.locator('.field[data-field="description"] .counter').innerText(), '0/20000');
  const tk = (await admin.get('/tickets?limit=1')).items[0];
  await page.goto('/tickets/' + tk.id);
  await page.waitForSelector('#form-reply');
  await page.fill('#form-reply textarea[name=body]', '已处理');
  assert.equal(await page.locator('#form-reply .counter').innerText(), '3/20000');
  assertClean(assert, page);
});

test('an expired session keeps the reply, says 会话已过期 and returns to it after login', async () => {
  const tk = (await admin.get('/tickets?limit=1')).items[0];
  const page = await env.newPage();
  await login(page, 'zhangwei');
  await page.goto('/tickets/' + tk.id);
  await page.waitForSelector('#form-reply');
  await page.click('label[for="mode-note"]');
  await page.fill('#form-note textarea[name=body]', '现场已更换光模块，待观察');
  // the session ends (expired, or logged out elsewhere)
  await page.context().clearCookies();
  await page.click('#form-note button[type=submit]');
  await page.waitForURL(/\/login\?next=/);
  assert.match(await page.locator('#session-expired').innerText(), /会话已过期/);
  await page.getByLabel('用户名').fill('zhangwei');
  await page.getByLabel('密码').fill('demo1234');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(new RegExp(`/tickets/${tk.id}$`));
  await page.waitForSelector('#form-note');
  assert.equal(await page.locator('#form-note textarea[name=body]').inputValue(), '现场已更换光模块，待观察');
  // sent now, once
  await page.click('#form-note button[type=submit]');
  await page.locator('.tl-internal', { hasText: '现场已更换光模块' }).waitFor();
  const notes = (await admin.get(`/tickets/${tk.id}/comments`)).items.filter((c) => c.body === '现场已更换光模块，待观察');
  assert.equal(notes.length, 1);
  // a later visit starts empty: the draft was used up
  await page.reload();
  await page.waitForSelector('#form-reply');
  assert.equal(await page.locator('#form-reply textarea[name=body]').inputValue(), '');
  assertClean(assert, page);
});

test('an expired session keeps the resolution typed in the 解决 panel, and opens the panel again', async () => {
  const zw = user('zhangwei');
  const tk = await admin.post('/tickets', { type: 'incident', title: '打印机卡纸', channel: 'phone', impact: 3, urgency: 3,
    group_id: zw.group_ids[0], assignee_id: zw.id });
  await admin.post(`/tickets/${tk.id}/transitions`, { to: 'in_progress' });
  const page = await env.newPage();
  await login(page, 'zhangwei', undefined, '/login?next=/tickets/' + tk.id);
  await page.click('#actions [data-to="resolved"]');
  await page.locator('#form-tr-resolved select[name=resolution_code]').selectOption('workaround');
  await page.fill('#form-tr-resolved textarea[name=resolution_notes]', '临时更换备用打印机，原机待厂商维修');
  await page.context().clearCookies();
  await page.click('#form-tr-resolved button[type=submit]');
  await page.waitForURL(/\/login\?next=/);
  await page.locator('#session-expired').waitFor();
  await page.getByLabel('用户名').fill('zhangwei');
  await page.getByLabel('密码').fill('demo1234');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(new RegExp(`/tickets/${tk.id}$`));
  const form = page.locator('#form-tr-resolved');
  await form.waitFor();
  assert.equal(await form.locator('select[name=resolution_code]').inputValue(), 'workaround');
  assert.equal(await form.locator('textarea[name=resolution_notes]').inputValue(), '临时更换备用打印机，原机待厂商维修');
  await form.locator('button[type=submit]').click();
  await page.waitForFunction(() => document.querySelector('.tk-head .badge').textContent === '已解决');
  const t = await admin.get('/tickets/' + tk.id);
  assert.equal(t.resolution_code, 'workaround');
  assertClean(assert, page);
});

test('one assign control: anyone eligible, by group, the ticket\'s group first; another group\'s engineer moves the ticket', async () => {
  const sup = user('chenjing');
  const mine = groups.find((g) => g.supervisor_id === sup.id);
  const other = groups.find((g) => g.id !== mine.id && (g.member_ids || []).some((id) => { const u = people.find((x) => x.id === id); return u && u.role === 'engineer' && !(mine.member_ids || []).includes(id); }));
  assert.ok(other, 'a group with an engineer who is not in mine');
  const eng = people.find((u) => other.member_ids.includes(u.id) && u.role === 'engineer' && !(mine.member_ids || []).includes(u.id));
  const tk = await admin.post('/tickets', { type: 'incident', title: '跨组指派测试', channel: 'phone', impact: 3, urgency: 3, group_id: mine.id });
  const page = await env.newPage();
  await login(page, 'chenjing', undefined, '/login?next=/tickets/' + tk.id);
  await page.click('#actions [data-to="assigned"]');
  const pick = page.locator('#panel select[name=assignee_id]');
  await pick.waitFor();
  const labels = await pick.locator('optgroup').evaluateAll((gs) => gs.map((g) => g.label));
  assert.ok(labels.length >= 2, 'more than the current group');
  assert.match(labels[0], new RegExp(`^${mine.name}（当前处理组）$`));
  assert.ok(labels.includes(other.name));
  await pick.selectOption(`${other.id}:${eng.id}`);
  assert.match(await page.locator('#assign-moves').innerText(), new RegExp(other.name));
  await page.click('#panel button[type=submit]');
  await page.waitForFunction((name) => document.querySelector('#fields [data-key="assignee"]').textContent === name, eng.display_name);
  const t = await admin.get('/tickets/' + tk.id);
  assert.equal(t.assignee_id, eng.id);
  assert.equal(t.group_id, other.id);
  assert.equal(t.status, 'assigned');
  // 改派 uses the same control: back to someone of the first group
  const back = people.find((u) => (mine.member_ids || []).includes(u.id) && u.id !== eng.id);
  await page.click('#reassign');
  const again = page.locator('#panel select[name=assignee_id]');
  await again.waitFor();
  assert.match((await again.locator('optgroup').first().getAttribute('label')), new RegExp(`^${other.name}（当前处理组）$`));
  await again.selectOption(`${mine.id}:${back.id}`);
  await page.click('#panel button[type=submit]');
  await page.waitForFunction((name) => document.querySelector('#fields [data-key="group"]').textContent === name, mine.name);
  const t2 = await admin.get('/tickets/' + tk.id);
  assert.equal(t2.group_id, mine.id);
  assert.equal(t2.assignee_id, back.id);
  // a ticket nobody works yet can go to a group's queue alone
  const fresh = await admin.post('/tickets', { type: 'incident', title: '只转组测试', channel: 'phone', impact: 3, urgency: 3, group_id: mine.id });
  await page.goto('/tickets/' + fresh.id);
  await page.click('#reassign');
  await page.locator('#panel select[name=assignee_id]').selectOption(`${other.id}:0`);
  await page.click('#panel button[type=submit]');
  await page.waitForFunction((name) => document.querySelector('#fields [data-key="group"]').textContent === name, other.name);
  const t3 = await admin.get('/tickets/' + fresh.id);
  assert.equal(t3.group_id, other.id);
  assert.equal(t3.assignee_id, null);
  assertClean(assert, page);
});
