// The desk as its users found it (issue 12): a portal ticket without a
// category reaches the desk supervisor's 本组待指派 queue on the home
// page, and a ticket of a group the supervisor leads without being a
// member shows there too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, login, apiAs, assertClean } from './lib.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

test('the supervisor\'s home lists the new tickets of every group it leads, a portal ticket without a category too', async () => {
  const sun = await apiAs(env.srv, 'hd_sun');
  const desk = await apiAs(env.srv, 'zhangwei');
  const portal = await sun.post('/tickets', { type: 'incident', title: '门户无分类报障 e2e', urgency: 2 });
  const cats = (await desk.get('/categories?limit=200')).items;
  const router = cats.find((c) => c.name === '路由器');
  const net = await desk.post('/tickets', { type: 'incident', title: '网络组新单 e2e', category_id: router.id, impact: 2, urgency: 2 });
  const page = await env.newPage();
  await login(page, 'chenjing');
  const queue = page.locator('#home-unassigned');
  await queue.locator('text=门户无分类报障 e2e').waitFor();
  await queue.locator('text=网络组新单 e2e').waitFor();
  assert.equal(portal.group_name, '综合调度室');
  assert.equal(net.group_name, '基础网络室');
  assertClean(assert, page);
});
