// The desk as its users found it (issue 12): every new ticket reaches a
// group, supervisors see the groups they lead, customers state urgency
// only, the requester's name finds tickets, "due within 2 h" lists no
// breached clock, notifications for the desk's own events, a customer's
// reply ends pending, approval on a category change, and the assignee
// picker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoServer, open, move } from './tickets_helpers.mjs';

let srv, tok, id;
before(async () => { ({ srv, tok, id } = await demoServer()); });
after(async () => { await srv.stop(); srv.cleanup(); });

const T = (n) => `/api/v1/tickets/${n}`;
const list = async (token, query) => {
  const r = await srv.get('/api/v1/tickets?' + new URLSearchParams(query), { token });
  assert.equal(r.status, 200, r.text);
  return r.json.items;
};
const patch = (token, t, body) => srv.req('PATCH', T(t.id), { token, body, headers: { 'If-Match': String(t.version) } });
const get = async (token, tid) => (await srv.get(T(tid), { token })).json;

test('a portal ticket without a category lands in the desk group and its supervisor\'s 本组待指派 queue', async () => {
  const t = await open(srv, tok.hd_sun, { type: 'incident', title: '无分类门户报障 desk-route', urgency: 2 });
  assert.equal(t.group_id, id['综合调度室']);
  assert.equal(t.group_name, '综合调度室');
  const queue = await list(tok.chenjing, { group: 'mine', status: 'new', limit: 200 });
  assert.ok(queue.some((x) => x.id === t.id), 'the supervisor of the desk sees it waiting');
  const groups = await srv.get('/api/v1/groups', { token: tok.admin });
  assert.deepEqual(groups.json.items.filter((g) => g.desk).map((g) => g.name), ['综合调度室']);
});

test('the organisation\'s group comes before the desk; the category\'s before both', async () => {
  const org = await srv.get(`/api/v1/organizations/${id['西南能源数据中心']}`, { token: tok.admin });
  let r = await srv.req('PATCH', `/api/v1/organizations/${org.json.id}`, { token: tok.admin,
    body: { default_group_id: id['业务支撑室'] }, headers: { 'If-Match': String(org.json.version) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.default_group_id, id['业务支撑室']);
  const a = await open(srv, tok.xn_li, { type: 'incident', title: '机构默认组 org-route' });
  assert.equal(a.group_id, id['业务支撑室']);
  const b = await open(srv, tok.xn_li, { type: 'incident', title: '分类优先 cat-route', category_id: id['交换机'] });
  assert.equal(b.group_id, id['基础网络室']);
});

test('an admin moves the desk to another group; only one group is the desk', async () => {
  const g = await srv.get(`/api/v1/groups/${id['业务支撑室']}`, { token: tok.admin });
  let r = await srv.req('PATCH', `/api/v1/groups/${g.json.id}`, { token: tok.admin, body: { desk: true },
    headers: { 'If-Match': String(g.json.version) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.desk, true);
  const all = (await srv.get('/api/v1/groups', { token: tok.admin })).json.items;
  assert.deepEqual(all.filter((x) => x.desk).map((x) => x.name), ['业务支撑室']);
  const t = await open(srv, tok.hd_zhou, { type: 'request', title: '新服务台 desk-moved' });
  assert.equal(t.group_id, id['业务支撑室']);
  // a supervisor may not; a non-boolean is named
  r = await srv.req('PATCH', `/api/v1/groups/${id['综合调度室']}`, { token: tok.chenjing, body: { desk: true },
    headers: { 'If-Match': '1' } });
  assert.equal(r.status, 403);
  const before = srv.snapshot();
  r = await srv.req('PATCH', `/api/v1/groups/${id['综合调度室']}`, { token: tok.admin, body: { desk: 'yes' },
    headers: { 'If-Match': '1' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'desk');
  assert.equal(srv.snapshot(), before);
  // back as it was for the other tests
  const d = await srv.get(`/api/v1/groups/${id['综合调度室']}`, { token: tok.admin });
  r = await srv.req('PATCH', `/api/v1/groups/${d.json.id}`, { token: tok.admin, body: { desk: true },
    headers: { 'If-Match': String(d.json.version) } });
  assert.equal(r.status, 200, r.text);
});

test('"my groups" of a supervisor include the groups it leads without being a member', async () => {
  // 陈静 leads 基础网络室 but is a member of 综合调度室 only
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '网络组待指派 sup-mine', category_id: id['路由器'] });
  const mine = await list(tok.chenjing, { group: 'mine', status: 'new', limit: 200 });
  assert.ok(mine.some((x) => x.id === t.id));
  // and not a group it neither leads nor works in
  const other = await open(srv, tok.zhangwei, { type: 'incident', title: '支撑组 sup-other', category_id: id['性能'] });
  assert.ok(!(await list(tok.chenjing, { group: 'mine', limit: 200 })).some((x) => x.id === other.id));
});

test('a customer states urgency; impact and fault level are refused by name and change nothing', async () => {
  const before = srv.snapshot();
  for (const [field, body] of [['impact', { impact: 1 }], ['fault_level', { fault_level: 1 }]]) {
    const r = await srv.post('/api/v1/tickets', { type: 'incident', title: '客户自定级 x', urgency: 1, ...body },
      { token: tok.hd_sun });
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.field, field);
  }
  assert.equal(srv.snapshot(), before);
  // urgency 1 alone never makes P1 / fault level 1
  const t = await open(srv, tok.hd_sun, { type: 'incident', title: '客户紧急 urgent-only', urgency: 1 });
  assert.equal(t.urgency, 1);
  assert.equal(t.impact, 3);
  assert.notEqual(t.priority, 'P1');
  const staff = await get(tok.zhangwei, t.id);
  assert.equal(staff.fault_level, 3);
  // a PATCH by a customer names the field too
  const r = await patch(tok.hd_sun, t, { impact: 1 });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.field, 'impact');
});

test('the category\'s default impact, else the organisation\'s, grades a customer\'s ticket', async () => {
  const c = await srv.get(`/api/v1/categories/${id['专线']}`, { token: tok.admin });
  let r = await srv.req('PATCH', `/api/v1/categories/${c.json.id}`, { token: tok.admin, body: { default_impact: 1 },
    headers: { 'If-Match': String(c.json.version) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.default_impact, 1);
  let t = await open(srv, tok.hd_sun, { type: 'incident', title: '专线中断 impact-cat', category_id: id['专线'], urgency: 2 });
  assert.equal(t.impact, 1);
  assert.equal(t.priority, 'P2');
  const o = await srv.get(`/api/v1/organizations/${id['华东电力信息公司']}`, { token: tok.admin });
  r = await srv.req('PATCH', `/api/v1/organizations/${o.json.id}`, { token: tok.admin, body: { default_impact: 2 },
    headers: { 'If-Match': String(o.json.version) } });
  assert.equal(r.status, 200, r.text);
  t = await open(srv, tok.hd_sun, { type: 'incident', title: '机构影响 impact-org', urgency: 2 });
  assert.equal(t.impact, 2);
  r = await srv.req('PATCH', `/api/v1/categories/${c.json.id}`, { token: tok.admin, body: { default_impact: 4 },
    headers: { 'If-Match': '1' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'default_impact');
});

test('searching the requester\'s name finds the tickets', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '无关标题 name-search', requester_id: id.hd_zhou });
  const found = await list(tok.zhangwei, { q: '周丽', limit: 200 });
  assert.ok(found.some((x) => x.id === t.id));
  const sun = await list(tok.zhangwei, { q: '孙建国', limit: 200 });
  assert.ok(sun.length > 0 && sun.every((x) => x.requester_name === '孙建国'));
});

test('"due within 2 h" lists running clocks not yet breached, never those already breached', async () => {
  const a = await open(srv, tok.zhangwei, { type: 'incident', title: '已超时 due-breached', impact: 2, urgency: 2 });
  const b = await open(srv, tok.zhangwei, { type: 'incident', title: '即将到期 due-soon', impact: 2, urgency: 2 });
  const now = Math.floor(Date.now() / 1000);
  srv.sql(`UPDATE sla_clocks SET due_at = ${now - 600} WHERE ticket_id = ${a.id} AND current = 1`);
  srv.sql(`UPDATE sla_clocks SET due_at = ${now + 3600} WHERE ticket_id = ${b.id} AND current = 1`);
  const soon = new Date((now + 7200) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const items = await list(tok.zhangwei, { breach_before: soon, limit: 200 });
  assert.ok(items.some((x) => x.id === b.id), 'due within the hour');
  assert.ok(!items.some((x) => x.id === a.id), 'already breached');
});
