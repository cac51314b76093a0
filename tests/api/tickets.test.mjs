// Tickets: life cycle, approval, permissions, versions, concurrency,
// history and the restart test. Demo data gives the people and groups.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib.mjs';
import { demoServer, open, move } from './tickets_helpers.mjs';

let srv, tok, id;
before(async () => { ({ srv, tok, id } = await demoServer()); });
after(async () => { await srv.stop(); srv.cleanup(); });

const T = (n) => `/api/v1/tickets/${n}`;

test('an engineer opens an incident: number, priority, fault level, default group, history', async () => {
  const t = await open(srv, tok.zhangwei, {
    type: 'incident', title: '核心交换机宕机', description: '第一行\n第二行',
    category_id: id['交换机'], requester_id: id.hd_sun, impact: 1, urgency: 2, channel: 'phone',
  });
  assert.match(t.number, /^INC\d{6}$/);
  assert.equal(t.status, 'new');
  assert.equal(t.priority, 'P2');
  assert.equal(t.fault_level, 2);
  assert.equal(t.group_id, id['基础网络室']);
  assert.equal(t.group_name, '基础网络室');
  assert.equal(t.category_path, '网络 / 交换机');
  assert.equal(t.organization_id, id['华东电力信息公司']);
  assert.equal(t.organization_name, '华东电力信息公司');
  assert.equal(t.requester_name, '孙建国');
  assert.equal(t.description, '第一行\n第二行');
  assert.equal(t.version, 1);
  assert.equal(t.assignee_id, null);
  assert.ok(Array.isArray(t.allowed_transitions));
  const h = await srv.get(`${T(t.id)}/history`, { token: tok.zhangwei });
  assert.equal(h.status, 200);
  assert.deepEqual(h.json.items.map((i) => i.field), ['created', 'status']);
  assert.equal(h.json.items[0].actor.name, '张伟');
  // a request has no fault level; defaults 3/3 give P4
  const r = await open(srv, tok.zhangwei, { type: 'request', title: '申请显示器', category_id: id['桌面运维'] });
  assert.match(r.number, /^REQ\d{6}$/);
  assert.equal(r.fault_level, null);
  assert.equal(r.priority, 'P4');
  assert.equal(r.impact, 3);
  assert.equal(r.urgency, 3);
  // P1 incident gets fault level 1, P4 gets 3
  const p1 = await open(srv, tok.zhangwei, { type: 'incident', title: 'x', impact: 1, urgency: 1 });
  assert.equal(p1.priority, 'P1');
  assert.equal(p1.fault_level, 1);
});


test('a renamed person, group or organisation shows at once on their tickets and in lists', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '改名 rename-check', category_id: id['交换机'],
    requester_id: id.hd_sun, impact: 2, urgency: 2 });
  assert.equal(t.group_name, '基础网络室');
  assert.equal(t.organization_name, '华东电力信息公司');
  const rename = async (kind, rid, name) => {
    const g = await srv.get(`/api/v1/${kind}/${rid}`, { token: tok.admin });
    const r = await srv.req('PATCH', `/api/v1/${kind}/${rid}`, { token: tok.admin, body: { name },
      headers: { 'If-Match': String(g.json.version) } });
    assert.equal(r.status, 200, r.text);
  };
  // read once first, so that every name is in the connections' caches
  for (const who of ['zhangwei', 'hd_sun']) assert.equal((await srv.get(T(t.id), { token: tok[who] })).status, 200);
  await rename('groups', id['基础网络室'], '基础网络室（改）');
  await rename('organizations', id['华东电力信息公司'], '华东电力信息公司（改）');
  const u = await srv.get(`/api/v1/users/${id.hd_sun}`, { token: tok.admin });
  let r = await srv.req('PATCH', `/api/v1/users/${id.hd_sun}`, { token: tok.admin, body: { display_name: '孙建国（改）' },
    headers: { 'If-Match': String(u.json.version) } });
  assert.equal(r.status, 200, r.text);
  for (const who of ['zhangwei', 'hd_sun']) {
    const g = await srv.get(T(t.id), { token: tok[who] });
    assert.equal(g.json.group_name, '基础网络室（改）');
    assert.equal(g.json.organization_name, '华东电力信息公司（改）');
    assert.equal(g.json.requester_name, '孙建国（改）');
    const l = await srv.get('/api/v1/tickets?q=rename-check', { token: tok[who] });
    assert.equal(l.json.items.length, 1);
    assert.equal(l.json.items[0].group_name, '基础网络室（改）');
    assert.equal(l.json.items[0].organization_name, '华东电力信息公司（改）');
    assert.equal(l.json.items[0].requester_name, '孙建国（改）');
  }
  r = await srv.req('PATCH', `/api/v1/users/${id.hd_sun}`, { token: tok.admin, body: { display_name: '孙建国' },
    headers: { 'If-Match': String(u.json.version + 1) } });
  assert.equal(r.status, 200, r.text);
  await rename('groups', id['基础网络室（改）'] || id['基础网络室'], '基础网络室');
  await rename('organizations', id['华东电力信息公司'], '华东电力信息公司');
  const g = await srv.get(T(t.id), { token: tok.zhangwei });
  assert.equal(g.json.group_name, '基础网络室');
  assert.equal(g.json.organization_name, '华东电力信息公司');
  assert.equal(g.json.requester_name, '孙建国');
});
test('whole incident life cycle, with first response, notes required, reopen and close', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '专线中断', category_id: id['专线'], requester_id: id.hd_sun });
  // engineers may only take for themselves: lina assigning wangqiang is forbidden
  let r = await move(srv, tok.lina, t.id, { to: 'assigned', assignee_id: id.wangqiang });
  assert.equal(r.status, 403);
  r = await move(srv, tok.chenjing, t.id, { to: 'assigned' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'assignee_id');
  r = await move(srv, tok.chenjing, t.id, { to: 'assigned', assignee_id: id.lina });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'assigned');
  assert.equal(r.json.assignee_name, '李娜');
  assert.ok(r.json.assigned_at);
  assert.equal(r.json.first_response_at, null);
  // only the assignee, the supervisor or a manager starts work
  r = await move(srv, tok.wangqiang, t.id, { to: 'in_progress' });
  assert.equal(r.status, 403);
  assert.deepEqual(r.json.error.allowed, ['cancelled']);
  r = await move(srv, tok.lina, t.id, { to: 'in_progress' });
  assert.equal(r.status, 200);
  assert.ok(r.json.first_response_at);
  assert.ok(r.json.in_progress_at);
  assert.deepEqual(r.json.allowed_transitions.sort(), ['cancelled', 'pending', 'resolved']);
  r = await move(srv, tok.lina, t.id, { to: 'pending' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'note');
  r = await move(srv, tok.lina, t.id, { to: 'pending', note: '等待运营商' });
  assert.equal(r.json.status, 'pending');
  assert.ok(r.json.pending_at);
  r = await move(srv, tok.lina, t.id, { to: 'resolved', resolution_code: 'fixed' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'invalid_transition');
  // zh-CN by default, the statuses in the UI's words
  assert.equal(r.json.error.message, '状态为挂起的工单不能改为已解决');
  assert.deepEqual(r.json.error.allowed.sort(), ['cancelled', 'in_progress']);
  r = await move(srv, tok.lina, t.id, { to: 'in_progress' });
  assert.equal(r.status, 200);
  r = await move(srv, tok.lina, t.id, { to: 'resolved' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'resolution_code');
  r = await move(srv, tok.lina, t.id, { to: 'resolved', resolution_code: 'bogus' });
  assert.equal(r.status, 400);
  r = await move(srv, tok.lina, t.id, { to: 'resolved', resolution_code: 'vendor_fixed', resolution_notes: '运营商修复光缆' });
  assert.equal(r.json.status, 'resolved');
  assert.equal(r.json.resolution_code, 'vendor_fixed');
  assert.equal(r.json.resolution_notes, '运营商修复光缆');
  assert.ok(r.json.resolved_at);
  // the customer reopens (note required), the assignee works it again
  const cust = await srv.get(`${T(t.id)}/transitions`, { token: tok.hd_sun });
  assert.deepEqual(cust.json.items.map((i) => i.to).sort(), ['closed', 'reopened']);
  r = await move(srv, tok.hd_sun, t.id, { to: 'reopened' });
  assert.equal(r.status, 400);
  r = await move(srv, tok.hd_sun, t.id, { to: 'reopened', note: '又断了' });
  assert.equal(r.status, 200);
  assert.equal(r.json.reopen_count, 1);
  assert.ok(r.json.reopened_at);
  r = await move(srv, tok.lina, t.id, { to: 'in_progress' });
  assert.equal(r.status, 200);
  r = await move(srv, tok.lina, t.id, { to: 'resolved', resolution_code: 'fixed' });
  r = await move(srv, tok.hd_zhou, t.id, { to: 'closed' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'closed');
  assert.ok(r.json.closed_at);
  assert.deepEqual(r.json.allowed_transitions, []);
  const closedVersion = r.json.version;
  r = await move(srv, tok.zhaomin, t.id, { to: 'in_progress' });
  assert.equal(r.status, 409);
  assert.deepEqual(r.json.error.allowed, []);
  r = await move(srv, tok.lina, t.id, { to: 'flying' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'to');
  const h = await srv.get(`${T(t.id)}/history`, { token: tok.zhaomin });
  const st = h.json.items.filter((i) => i.field === 'status').map((i) => i.new);
  assert.deepEqual(st, ['new', 'assigned', 'in_progress', 'pending', 'in_progress', 'resolved',
    'reopened', 'in_progress', 'resolved', 'closed']);
  assert.equal(h.json.items.find((i) => i.new === 'pending').note, '等待运营商');
  // a closed ticket cannot be edited
  const p = await srv.patch(T(t.id), { title: 'x' }, { token: tok.zhaomin, headers: { 'If-Match': String(closedVersion) } });
  assert.equal(p.status, 409);
  assert.equal(p.json.error.code, 'invalid_transition');
  assert.equal(p.json.error.message, '状态为已关闭的工单不能修改');
});

test('a request needing approval: approve then assign, reject needs a reason and is final', async () => {
  const a = await open(srv, tok.hd_sun, { type: 'request', title: '申请ERP账号', category_id: id['账号权限'] });
  assert.equal(a.status, 'pending_approval');
  assert.equal(a.channel, 'portal');
  assert.equal(a.requester_id, id.hd_sun);
  assert.equal(a.organization_id, id['华东电力信息公司']);
  assert.equal(a.fault_level, undefined, 'customers do not see the fault level');
  // an engineer and a supervisor of another group may not approve
  for (const who of ['liuyang', 'chenjing']) {
    const r = await move(srv, tok[who], a.id, { to: 'approved' });
    assert.equal(r.status, 403, who);
  }
  let r = await move(srv, tok.huanglei, a.id, { to: 'approved' });
  assert.equal(r.status, 200);
  assert.ok(r.json.approved_at);
  r = await move(srv, tok.huanglei, a.id, { to: 'assigned', assignee_id: id.liuyang });
  assert.equal(r.json.status, 'assigned');

  const b = await open(srv, tok.hd_zhou, { type: 'request', title: '申请管理员权限', category_id: id['账号权限'] });
  r = await move(srv, tok.zhaomin, b.id, { to: 'rejected' });
  assert.equal(r.status, 400);
  r = await move(srv, tok.zhaomin, b.id, { to: 'rejected', note: '不符合最小权限原则' });
  assert.equal(r.json.status, 'rejected');
  assert.ok(r.json.rejected_at);
  r = await move(srv, tok.zhaomin, b.id, { to: 'approved' });
  assert.equal(r.status, 409);
  // an assignee cannot be given before approval
  r = await srv.post('/api/v1/tickets', { type: 'request', title: 'x', category_id: id['账号权限'], assignee_id: id.liuyang }, { token: tok.huanglei });
  assert.equal(r.status, 400);
  // the customer may cancel its own request while it waits
  const c = await open(srv, tok.hd_zhou, { type: 'request', title: '申请VPN', category_id: id['账号权限'] });
  r = await move(srv, tok.hd_sun, c.id, { to: 'cancelled' });
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'cancelled');
});

test('customers: own organisation only, 404 for others, no internal notes anywhere', async () => {
  const mine = await open(srv, tok.zhangwei, { type: 'incident', title: '华东机房空调告警', requester_id: id.hd_sun });
  const theirs = await open(srv, tok.zhangwei, { type: 'incident', title: '西南机房空调告警', requester_id: id.xn_li });
  let r = await srv.get(T(theirs.id), { token: tok.hd_sun });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  for (const sub of ['history', 'comments', 'attachments', 'transitions']) {
    r = await srv.get(`${T(theirs.id)}/${sub}`, { token: tok.hd_sun });
    assert.equal(r.status, 404, sub);
  }
  r = await srv.post(`${T(theirs.id)}/comments`, { body: 'hi' }, { token: tok.hd_sun });
  assert.equal(r.status, 404);
  r = await srv.patch(T(theirs.id), { title: 'x' }, { token: tok.hd_sun, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 404);
  r = await srv.patch(T(mine.id), { title: 'x' }, { token: tok.hd_sun, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 403);
  // customers cannot open for another organisation or set staff fields
  r = await srv.post('/api/v1/tickets', { type: 'incident', title: 'x', organization_id: id['西南能源数据中心'] }, { token: tok.hd_sun });
  assert.equal(r.status, 403);
  r = await srv.post('/api/v1/tickets', { type: 'incident', title: 'x', requester_id: id.xn_li }, { token: tok.hd_sun });
  assert.equal(r.status, 403);
  r = await srv.post('/api/v1/tickets', { type: 'incident', title: 'x', group_id: id['基础网络室'] }, { token: tok.hd_sun });
  assert.equal(r.status, 403);

  // an internal note with a distinctive word, a public comment, a work log
  r = await srv.post(`${T(mine.id)}/comments`, { body: '内部备注 压缩机secretword', internal: true }, { token: tok.zhangwei });
  assert.equal(r.status, 201);
  assert.equal(r.json.kind, 'note');
  r = await srv.post(`${T(mine.id)}/comments`, { body: '已派工程师前往现场' }, { token: tok.zhangwei });
  assert.equal(r.json.kind, 'comment');
  r = await srv.post(`${T(mine.id)}/worklogs`, { minutes: 30, note: '巡检空调 workword' }, { token: tok.zhangwei });
  assert.equal(r.status, 201);
  assert.equal(r.json.minutes, 30);
  r = await srv.post(`${T(mine.id)}/comments`, { body: 'x', internal: true }, { token: tok.hd_sun });
  assert.equal(r.status, 403);
  r = await srv.post(`${T(mine.id)}/worklogs`, { minutes: 5 }, { token: tok.hd_sun });
  assert.equal(r.status, 403);
  r = await srv.post(`${T(mine.id)}/comments`, { body: '谢谢，请尽快' }, { token: tok.hd_sun });
  assert.equal(r.status, 201);

  const staffView = await srv.get(`${T(mine.id)}/comments`, { token: tok.lina });
  assert.deepEqual(staffView.json.items.map((e) => e.kind), ['note', 'comment', 'worklog', 'comment']);
  const custView = await srv.get(`${T(mine.id)}/comments`, { token: tok.hd_sun });
  assert.deepEqual(custView.json.items.map((e) => e.kind), ['comment', 'comment']);
  assert.ok(!custView.text.includes('secretword'));
  assert.ok(!custView.text.includes('workword'));
  const hs = await srv.get(`${T(mine.id)}/history`, { token: tok.hd_sun });
  assert.ok(!hs.text.includes('secretword') && !hs.text.includes('workword'), hs.text);
  assert.ok(hs.json.items.every((i) => !['note', 'worklog', 'assignee', 'fault_level'].includes(i.field)));
  const hstaff = await srv.get(`${T(mine.id)}/history`, { token: tok.lina });
  assert.ok(hstaff.text.includes('secretword'));

  // search: staff find internal words, customers do not
  r = await srv.get('/api/v1/tickets?q=secretword', { token: tok.lina });
  assert.deepEqual(r.json.items.map((t) => t.id), [mine.id]);
  r = await srv.get('/api/v1/tickets?q=secretword', { token: tok.hd_sun });
  assert.deepEqual(r.json.items, []);
  r = await srv.get('/api/v1/tickets?q=workword', { token: tok.hd_sun });
  assert.deepEqual(r.json.items, []);
  r = await srv.get(`/api/v1/tickets?q=${encodeURIComponent('空调告警')}`, { token: tok.hd_sun });
  assert.deepEqual(r.json.items.map((t) => t.id), [mine.id]);
  r = await srv.get(`/api/v1/tickets?q=${encodeURIComponent('空调告警')}`, { token: tok.lina });
  assert.deepEqual(r.json.items.map((t) => t.id).sort((a, b) => a - b), [mine.id, theirs.id]);
  // lists: only their organisation, even when they ask for another
  r = await srv.get('/api/v1/tickets?limit=200', { token: tok.hd_sun });
  const orgs = new Set(r.json.items.map((t) => t.organization_id));
  assert.deepEqual([...orgs], [id['华东电力信息公司']]);
  assert.ok(r.json.items.every((t) => !('fault_level' in t)));
  r = await srv.get(`/api/v1/tickets?organization=${id['西南能源数据中心']}`, { token: tok.hd_sun });
  assert.deepEqual(r.json.items, []);
  r = await srv.get('/api/v1/tickets?fault_level=1', { token: tok.hd_sun });
  assert.equal(r.status, 403);
});

test('PATCH: If-Match required, stale version is 409 and changes nothing', async () => {
  const t = await open(srv, tok.lina, { type: 'incident', title: '路由器告警', category_id: id['路由器'] });
  let r = await srv.patch(T(t.id), { title: '路由器CPU告警' }, { token: tok.lina });
  assert.equal(r.status, 428);
  assert.equal(r.json.error.code, 'precondition_required');
  r = await srv.patch(T(t.id), { title: '路由器CPU告警', impact: 1, urgency: 1 }, { token: tok.lina, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, 2);
  assert.equal(r.json.priority, 'P1');
  assert.equal(r.json.fault_level, 3, 'the fault level is re-graded only on purpose');
  const before = srv.snapshot();
  r = await srv.patch(T(t.id), { title: '别人的修改' }, { token: tok.lina, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'version_conflict');
  assert.equal(srv.snapshot(), before);
  const h = await srv.get(`${T(t.id)}/history`, { token: tok.lina });
  const fields = h.json.items.map((i) => i.field);
  for (const f of ['title', 'impact', 'urgency', 'priority']) assert.ok(fields.includes(f), f);
  const pr = h.json.items.find((i) => i.field === 'priority');
  assert.equal(pr.old, 'P4');
  assert.equal(pr.new, 'P1');
  // an identical patch changes nothing: same version, no history
  r = await srv.patch(T(t.id), { title: '路由器CPU告警' }, { token: tok.lina, headers: { 'If-Match': '2' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.version, 2);
});

test('engineers, supervisors, managers: who may edit, take, reassign and re-grade', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '交换机风扇故障', category_id: id['交换机'] });
  let v = t.version;
  const patch = (who, body) => srv.patch(T(t.id), body, { token: tok[who], headers: { 'If-Match': String(v) } });
  // zhangwei is not in 基础网络室
  let r = await patch('zhangwei', { title: 'x' });
  assert.equal(r.status, 403);
  r = await patch('zhangwei', { assignee_id: id.zhangwei });
  assert.equal(r.status, 403, 'not a member of the group');
  // lina takes it: PATCH assignee_id moves new -> assigned
  r = await patch('lina', { assignee_id: id.wangqiang });
  assert.equal(r.status, 403);
  r = await patch('lina', { assignee_id: id.lina });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'assigned');
  assert.equal(r.json.assignee_id, id.lina);
  v = r.json.version;
  r = await patch('lina', { description: '风扇2转速为0\n需要更换' });
  assert.equal(r.status, 200);
  v = r.json.version;
  r = await patch('lina', { group_id: id['业务支撑室'] });
  assert.equal(r.status, 403, 'engineers do not move tickets between groups');
  r = await patch('lina', { fault_level: 1, regrade_reason: 'x' });
  assert.equal(r.status, 403);
  // huanglei supervises another group
  r = await patch('huanglei', { fault_level: 1, regrade_reason: 'x' });
  assert.equal(r.status, 403);
  r = await patch('chenjing', { fault_level: 1 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'regrade_reason');
  r = await patch('chenjing', { fault_level: 1, regrade_reason: '影响全省调度业务' });
  assert.equal(r.status, 200);
  assert.equal(r.json.fault_level, 1);
  v = r.json.version;
  r = await patch('chenjing', { regrade_reason: 'alone' });
  assert.equal(r.status, 400);
  // moving to a group the assignee is not in needs a new assignee
  r = await patch('chenjing', { group_id: id['业务支撑室'] });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'assignee_id');
  r = await patch('chenjing', { group_id: id['业务支撑室'], assignee_id: id.liuyang });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.group_name, '业务支撑室');
  assert.equal(r.json.assignee_name, '刘洋');
  v = r.json.version;
  // a manager may do anything, an assignee must be staff
  r = await patch('zhaomin', { assignee_id: id.hd_sun });
  assert.equal(r.status, 400);
  r = await patch('zhaomin', { urgency: 1, channel: 'email' });
  assert.equal(r.status, 200);
  const h = await srv.get(`${T(t.id)}/history`, { token: tok.zhaomin });
  const fl = h.json.items.find((i) => i.field === 'fault_level');
  assert.equal(fl.old, '3');
  assert.equal(fl.new, '1');
  assert.equal(fl.note, '影响全省调度业务');
  const g = h.json.items.find((i) => i.field === 'group');
  assert.equal(g.old, '基础网络室');
  assert.equal(g.new, '业务支撑室');
  assert.ok(h.json.items.some((i) => i.field === 'assignee' && i.new === '刘洋'));
});

test('fifty parallel creations get fifty distinct consecutive numbers', async () => {
  const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    srv.post('/api/v1/tickets', { type: 'incident', title: `并发 ${i}` }, { token: tok.zhangwei })));
  assert.ok(rs.every((r) => r.status === 201), rs.map((r) => r.status).join());
  const nums = rs.map((r) => Number(r.json.number.slice(3))).sort((a, b) => a - b);
  assert.equal(new Set(nums).size, 50);
  assert.equal(nums[49] - nums[0], 49);
  const counter = srv.sql("SELECT value FROM counters WHERE name = 'INC'")[0].value;
  assert.equal(counter, nums[49]);
});

test('links are symmetric and written to both histories', async () => {
  const a = await open(srv, tok.lina, { type: 'incident', title: 'A' });
  const b = await open(srv, tok.lina, { type: 'incident', title: 'B' });
  let r = await srv.post(`${T(a.id)}/links`, { ticket_id: b.id }, { token: tok.lina });
  assert.equal(r.status, 201);
  assert.deepEqual(r.json.related.map((x) => x.id), [b.id]);
  r = await srv.get(T(b.id), { token: tok.lina });
  assert.deepEqual(r.json.related.map((x) => x.number), [a.number]);
  r = await srv.post(`${T(a.id)}/links`, { ticket_id: b.id }, { token: tok.lina });
  assert.equal(r.status, 409);
  r = await srv.post(`${T(a.id)}/links`, { ticket_id: a.id }, { token: tok.lina });
  assert.equal(r.status, 400);
  r = await srv.del(`${T(b.id)}/links/${a.id}`, { token: tok.lina });
  assert.equal(r.status, 204);
  r = await srv.get(T(a.id), { token: tok.lina });
  assert.deepEqual(r.json.related, []);
  r = await srv.del(`${T(b.id)}/links/${a.id}`, { token: tok.lina });
  assert.equal(r.status, 404);
  const h = await srv.get(`${T(b.id)}/history`, { token: tok.lina });
  assert.deepEqual(h.json.items.filter((i) => i.field === 'link').map((i) => [i.old, i.new]),
    [[null, a.number], [a.number, null]]);
  // several related tickets come in the order of their ids, whatever the order of linking
  const c = await open(srv, tok.lina, { type: 'incident', title: 'C' });
  for (const other of [c, b]) {
    r = await srv.post(`${T(a.id)}/links`, { ticket_id: other.id }, { token: tok.lina });
    assert.equal(r.status, 201, r.text);
  }
  assert.deepEqual(r.json.related.map((x) => x.id), [b.id, c.id]);
});

test('priority matrix: read by all, changed by admins only, used by new tickets, audited', async () => {
  let r = await srv.get('/api/v1/priority-matrix', { token: tok.hd_sun });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.matrix, [[1, 2, 3], [2, 3, 4], [3, 4, 4]]);
  const m = [[1, 1, 2], [2, 3, 4], [3, 4, 4]];
  r = await srv.put('/api/v1/priority-matrix', { matrix: m }, { token: tok.zhaomin });
  assert.equal(r.status, 403);
  r = await srv.put('/api/v1/priority-matrix', { matrix: [[1, 2, 5], [2, 3, 4], [3, 4, 4]] }, { token: tok.admin });
  assert.equal(r.status, 400);
  r = await srv.put('/api/v1/priority-matrix', { matrix: m }, { token: tok.admin });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.matrix, m);
  const t = await open(srv, tok.lina, { type: 'incident', title: 'm', impact: 1, urgency: 2 });
  assert.equal(t.priority, 'P1');
  const audit = srv.sql("SELECT action FROM audit_log WHERE action = 'priority_matrix.update'");
  assert.equal(audit.length, 1);
  r = await srv.put('/api/v1/priority-matrix', { matrix: [[1, 2, 3], [2, 3, 4], [3, 4, 4]] }, { token: tok.admin });
  assert.equal(r.status, 200);
});

test('a restart keeps tickets, history and numbering', async () => {
  const s = await startServer({ demo: true });
  const t0 = s.token('zhangwei');
  const r = await s.post('/api/v1/tickets', { type: 'incident', title: '重启前' }, { token: t0 });
  assert.equal(r.status, 201);
  const before = s.snapshot();
  assert.equal(await s.stop(), 0);
  const s2 = await startServer({ dir: s.dir });
  try {
    assert.equal(s2.snapshot(), before);
    const g = await s2.get(`/api/v1/tickets/${r.json.id}`, { token: t0 });
    assert.equal(g.status, 200);
    assert.equal(g.json.number, r.json.number);
    const n = await s2.post('/api/v1/tickets', { type: 'incident', title: '重启后' }, { token: t0 });
    assert.equal(Number(n.json.number.slice(3)), Number(r.json.number.slice(3)) + 1);
    const q = await s2.get(`/api/v1/tickets?q=${encodeURIComponent('重启')}`, { token: t0 });
    assert.equal(q.json.items.length, 2);
  } finally {
    await s2.stop();
    s2.cleanup();
  }
});
