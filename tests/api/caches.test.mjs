// What each connection keeps in memory (bearer tokens, the category tree
// and groups, the SLA policies; migration 0007) must follow every change
// at once, on every worker, whoever made it: the API or the CLI beside
// the running server. Each check first warms both workers with parallel
// requests, so that a stale copy would show.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoServer, open } from './tickets_helpers.mjs';

let srv, tok, id;
before(async () => { ({ srv, tok, id } = await demoServer()); });
after(async () => { await srv.stop(); srv.cleanup(); });

const burst = (n, fn) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

test('a token revoked from the CLI is refused by every worker at once', async () => {
  const t = srv.token('wangqiang');
  const tid = srv.sql("SELECT MAX(id) AS i FROM api_tokens")[0].i;
  let rs = await burst(20, () => srv.get('/api/v1/me', { token: t }));
  assert.ok(rs.every((r) => r.status === 200));
  srv.cli(['token', 'revoke', String(tid)]);
  rs = await burst(20, () => srv.get('/api/v1/me', { token: t }));
  assert.deepEqual([...new Set(rs.map((r) => r.status))], [401]);
});

test("a user's new role and a disabled user take effect on the next request", async () => {
  const t = srv.token('liuyang');
  const uid = id.liuyang;
  let rs = await burst(20, () => srv.get('/api/v1/me', { token: t }));
  assert.ok(rs.every((r) => r.json.role === 'engineer'));
  const v = (await srv.get(`/api/v1/users/${uid}`, { token: tok.admin })).json.version;
  let r = await srv.patch(`/api/v1/users/${uid}`, { role: 'supervisor' },
    { token: tok.admin, headers: { 'If-Match': String(v) } });
  assert.equal(r.status, 200, r.text);
  rs = await burst(20, () => srv.get('/api/v1/me', { token: t }));
  assert.ok(rs.every((r) => r.json.role === 'supervisor'));
  r = await srv.patch(`/api/v1/users/${uid}`, { disabled: true },
    { token: tok.admin, headers: { 'If-Match': String(v + 1) } });
  assert.equal(r.status, 200, r.text);
  rs = await burst(20, () => srv.get('/api/v1/me', { token: t }));
  assert.deepEqual([...new Set(rs.map((r) => r.status))], [401]);
});

test('a renamed category shows in the path of every ticket at once', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '交换机端口告警', category_id: id['交换机'] });
  let rs = await burst(20, () => srv.get(`/api/v1/tickets/${t.id}`, { token: tok.zhangwei }));
  assert.ok(rs.every((r) => r.json.category_path === '网络 / 交换机'));
  const c = (await srv.get(`/api/v1/categories/${id['网络']}`, { token: tok.admin })).json;
  const r = await srv.patch(`/api/v1/categories/${c.id}`, { name: '网络设备' },
    { token: tok.admin, headers: { 'If-Match': String(c.version) } });
  assert.equal(r.status, 200, r.text);
  rs = await burst(20, () => srv.get(`/api/v1/tickets/${t.id}`, { token: tok.zhangwei }));
  assert.ok(rs.every((r) => r.json.category_path === '网络设备 / 交换机'), rs.map((r) => r.json.category_path).join());
  // and from the CLI's side of the database (sqlite3 here): no API call in between
  srv.sql(`UPDATE categories SET name = '网络' WHERE id = ${c.id}`);
  rs = await burst(20, () => srv.get(`/api/v1/tickets/${t.id}`, { token: tok.zhangwei }));
  assert.ok(rs.every((r) => r.json.category_path === '网络 / 交换机'));
});

test('a new group member may take the group’s tickets at once; a removed one may not', async () => {
  const g = (await srv.get(`/api/v1/groups/${id['业务支撑室']}`, { token: tok.admin })).json;
  assert.ok(!g.member_ids.includes(id.zhangwei));
  const t = await open(srv, tok.huanglei, { type: 'incident', title: 'CRM 登录失败', group_id: g.id });
  const take = () => srv.patch(`/api/v1/tickets/${t.id}`, { assignee_id: id.zhangwei },
    { token: tok.zhangwei, headers: { 'If-Match': '1' } });
  await burst(20, () => srv.get(`/api/v1/tickets/${t.id}`, { token: tok.zhangwei }));
  let r = await take();
  assert.notEqual(r.status, 200);
  r = await srv.patch(`/api/v1/groups/${g.id}`, { member_ids: [...g.member_ids, id.zhangwei] },
    { token: tok.admin, headers: { 'If-Match': String(g.version) } });
  assert.equal(r.status, 200, r.text);
  r = await take();
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.assignee_id, id.zhangwei);
});

test('a changed SLA policy applies to the very next ticket', async () => {
  const ps = (await srv.get('/api/v1/sla/policies', { token: tok.admin })).json.items;
  const l3 = ps.find((p) => p.name === '三级故障');
  const body = { type: 'incident', title: '打印机卡纸', impact: 3, urgency: 3 };
  let t = await open(srv, tok.zhangwei, body);
  const minutes = (x) => x.sla.find((s) => s.target === 'response').target_minutes;
  assert.equal(minutes(t), l3.targets.response.minutes);
  const targets = JSON.parse(JSON.stringify(l3.targets));
  targets.response.minutes = 90;
  for (const k of Object.keys(targets)) if (targets[k] === null) delete targets[k];
  const r = await srv.patch(`/api/v1/sla/policies/${l3.id}`, { targets },
    { token: tok.admin, headers: { 'If-Match': String(l3.version) } });
  assert.equal(r.status, 200, r.text);
  const ts = await burst(6, () => open(srv, tok.zhangwei, body));
  assert.ok(ts.every((x) => minutes(x) === 90), ts.map(minutes).join());
});
