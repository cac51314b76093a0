// The desk in the administration screens (issue 12): the groups table marks
// the service desk and marking another group moves the mark; an
// organisation's default group and default impact and a category's default
// impact are set through their forms, shown by name and word in the tables,
// stored, and route a customer's new ticket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, apiAs, assertClean } from './lib.mjs';

let env, admin;
before(async () => {
  env = await setup();
  admin = await apiAs(env.srv, 'admin');
});
after(async () => { if (env) await env.close(); });

const named = (items, name) => {
  const x = items.find((i) => i.name === name);
  if (!x) throw new Error('no demo record ' + name);
  return x;
};
const cell = (row, label) => row.locator(`td[data-label="${label}"]`);

// Opens the edit form of a table's row, changes it through fill(form),
// saves, and waits for the table that answers the save.
async function editRow(page, tab, id, fill) {
  await page.goto(`/admin/${tab}?edit=${id}`);
  const form = page.locator('#record-form');
  await form.waitFor();
  await fill(form);
  await form.getByRole('button', { name: '保存' }).click();
  await page.waitForURL(new RegExp(`/admin/${tab}$`));
  await page.locator('#record-form').waitFor({ state: 'detached' });
  return page.locator(`.admin-table tr[data-id="${id}"]`);
}

test('the desk mark moves, the defaults are set in the forms and route a portal ticket', async () => {
  const groups = (await admin.get('/groups')).items;
  const oldDesk = named(groups, '综合调度室');
  const net = named(groups, '基础网络室');
  const apps = named(groups, '业务支撑室');
  const org = named((await admin.get('/organizations')).items, '西南能源数据中心');
  const cat = named((await admin.get('/categories?limit=200')).items, '桌面运维');
  assert.equal(oldDesk.desk, true, 'the demo desk');

  const page = await env.newPage();
  await login(page, 'admin', 'admin-pass-123');

  // groups: one mark, on the desk; ticking 服务台 on another group moves it
  await page.goto('/admin/groups');
  await page.locator('.admin-table tbody tr').first().waitFor();
  assert.deepEqual(await page.locator('.admin-table tr:has(.desk-mark)').evaluateAll((rs) => rs.map((r) => r.dataset.id)),
    [String(oldDesk.id)]);
  assert.equal(await page.locator('.admin-table .desk-mark').textContent(), '服务台');
  let row = await editRow(page, 'groups', net.id, async (form) => {
    const box = form.getByLabel('服务台', { exact: true });
    assert.equal(await box.isChecked(), false);
    await box.check();
  });
  await row.locator('.desk-mark').waitFor();
  assert.deepEqual(await page.locator('.admin-table tr:has(.desk-mark)').evaluateAll((rs) => rs.map((r) => r.dataset.id)),
    [String(net.id)], 'the mark moved');
  // the old desk's form shows it unticked
  await page.goto(`/admin/groups?edit=${oldDesk.id}`);
  assert.equal(await page.locator('#record-form').getByLabel('服务台', { exact: true }).isChecked(), false);

  // an organisation changed by someone else meanwhile: the form's If-Match
  // version is stale, the save is refused and nothing of it is stored
  await page.goto(`/admin/organizations?edit=${org.id}`);
  let form = page.locator('#record-form');
  await form.getByLabel('默认处理组').selectOption(String(apps.id));
  await admin.call('PATCH', '/organizations/' + org.id, { phone: '028-12345678' }, { 'If-Match': String(org.version) });
  await form.getByRole('button', { name: '保存' }).click();
  await form.locator('.form-error', { hasText: '其他人已修改此记录' }).waitFor();
  assert.equal((await admin.get('/organizations/' + org.id)).default_group_id, null);

  // the organisation's default group and impact, by name and word in the table
  row = await editRow(page, 'organizations', org.id, async (f) => {
    await f.getByLabel('默认处理组').selectOption(String(apps.id));
    await f.getByLabel('默认影响范围').selectOption('1');
  });
  assert.equal(await cell(row, '默认处理组').textContent(), '业务支撑室');
  assert.equal(await cell(row, '默认影响范围').textContent(), '1 高');

  // the category's default impact
  row = await editRow(page, 'categories', cat.id, async (f) => {
    assert.equal(await f.getByLabel('默认影响范围').inputValue(), '');
    await f.getByLabel('默认影响范围').selectOption('2');
  });
  assert.equal(await cell(row, '默认影响范围').textContent(), '2 中');
  assertClean(assert, page);

  // stored as set
  const g2 = (await admin.get('/groups')).items;
  assert.deepEqual(g2.filter((g) => g.desk).map((g) => g.id), [net.id]);
  const o2 = await admin.get('/organizations/' + org.id);
  assert.equal(o2.default_group_id, apps.id);
  assert.equal(o2.default_impact, 1);
  assert.equal(o2.phone, '028-12345678', 'the other change kept');
  assert.equal((await admin.get('/categories/' + cat.id)).default_impact, 2);

  // a fault the organisation's customer reports in the portal, no category:
  // the organisation's group and impact
  const cust = await env.newPage();
  await login(cust, 'xn_li');
  await cust.waitForURL(/\/portal$/);
  await cust.click('#portal-fault');
  form = cust.locator('#new-ticket');
  await form.waitFor();
  assert.equal(await form.getByLabel('分类').inputValue(), '');
  await form.getByLabel('标题', { exact: true }).fill('数据中心机房门禁无法刷卡');
  await form.getByLabel('描述').fill('二号机房门禁今早起无法刷卡进入。');
  await form.getByLabel('紧急程度').selectOption('2');
  await form.getByRole('button', { name: '提交故障' }).click();
  await cust.waitForURL(/\/tickets\/\d+$/);
  const tk = await admin.get('/tickets/' + new URL(cust.url()).pathname.split('/').pop());
  assert.equal(tk.title, '数据中心机房门禁无法刷卡');
  assert.equal(tk.category_id, null);
  assert.equal(tk.group_id, apps.id);
  assert.equal(tk.impact, 1);
  assertClean(assert, cust);

  // with the category: its impact wins, its group routes
  const xn = await apiAs(env.srv, 'xn_li');
  const withCat = await xn.post('/tickets', { type: 'request', title: '申请更换显示器', urgency: 3, category_id: cat.id });
  assert.equal(withCat.impact, 2);
  assert.equal(withCat.group_id, cat.default_group_id);
  // another organisation names no group: the new desk
  const hd = await apiAs(env.srv, 'hd_sun');
  const toDesk = await hd.post('/tickets', { type: 'incident', title: '办公网打印机离线', urgency: 3 });
  assert.equal(toDesk.group_id, net.id);
  assert.equal(toDesk.impact, 3);
});
