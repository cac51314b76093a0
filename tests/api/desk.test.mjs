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
  // the group that lost the mark has its own audit row and a new version
  const audit = srv.sql(`SELECT detail FROM audit_log WHERE action = 'group.update' AND target_id = ${id['综合调度室']}`);
  assert.equal(audit.length, 1);
  assert.deepEqual(JSON.parse(audit[0].detail).changes.desk, { old: true, new: false });
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
  // a customer changes no field of a ticket by PATCH (permission ticket.update), grading included
  const r = await patch(tok.hd_sun, t, { impact: 1 });
  assert.equal(r.status, 403);
  assert.equal((await get(tok.zhangwei, t.id)).impact, 3);
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

// Notifications: what each user finds in GET /notifications about a ticket.
const notes = async (login, tid) => {
  const r = await srv.get('/api/v1/notifications?limit=200', { token: tok[login] });
  assert.equal(r.status, 200, r.text);
  return r.json.items.filter((n) => n.ticket_id === tid);
};
const PEOPLE_TIME = /\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?!:)/;

test('assignment and reassignment notify the assignees, never the actor; times are for people', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '指派通知 notify-assign', category_id: id['交换机'],
    requester_id: id.hd_sun, impact: 2, urgency: 2 });
  let r = await move(srv, tok.chenjing, t.id, { to: 'assigned', assignee_id: id.lina });
  assert.equal(r.status, 200, r.text);
  const [n] = await notes('lina', t.id);
  assert.equal(n.kind, 'ticket_assigned');
  assert.match(n.subject, new RegExp(t.number));
  assert.match(n.body, /陈静/);
  assert.match(n.body, PEOPLE_TIME);
  assert.doesNotMatch(n.body + n.body_en, /\d{4}-\d{2}-\d{2}T|Z\b/);
  assert.match(n.body_en, /assigned ticket/);
  assert.deepEqual(await notes('chenjing', t.id), []);
  // 改派 through PATCH: the new assignee, and the previous one is told it is no longer theirs
  const cur = await get(tok.chenjing, t.id);
  r = await patch(tok.chenjing, cur, { assignee_id: id.wangqiang });
  assert.equal(r.status, 200, r.text);
  assert.equal((await notes('wangqiang', t.id))[0].kind, 'ticket_assigned');
  const lina = await notes('lina', t.id);
  assert.equal(lina.length, 2);
  assert.match(lina[0].subject, /改派/);
  assert.match(lina[0].body, /王强/);
  // an engineer taking a ticket himself is told nothing
  const u = await open(srv, tok.zhangwei, { type: 'incident', title: '自取 notify-self', category_id: id['交换机'] });
  r = await move(srv, tok.lina, u.id, { to: 'assigned', assignee_id: id.lina });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(await notes('lina', u.id), []);
});

test('a ticket passed to another group with nobody assigned tells that group\'s supervisor', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '转组 notify-group', category_id: id['交换机'] });
  const r = await patch(tok.chenjing, t, { group_id: id['业务支撑室'] });
  assert.equal(r.status, 200, r.text);
  const [n] = await notes('huanglei', t.id);
  assert.equal(n.kind, 'ticket_group');
  assert.match(n.body, /业务支撑室/);
});

test('resolution asks the requester to confirm; a reopening tells the assignee and the supervisor', async () => {
  const t = await open(srv, tok.chenjing, { type: 'incident', title: '解决确认 notify-resolve', category_id: id['交换机'],
    requester_id: id.hd_sun, impact: 2, urgency: 2, assignee_id: id.lina });
  assert.equal((await move(srv, tok.lina, t.id, { to: 'in_progress' })).status, 200);
  let r = await move(srv, tok.lina, t.id, { to: 'resolved', resolution_code: 'fixed' });
  assert.equal(r.status, 200, r.text);
  const [n] = await notes('hd_sun', t.id);
  assert.equal(n.kind, 'ticket_resolved');
  assert.match(n.subject, /请确认/);
  assert.match(n.body, /李娜/);
  assert.match(n.body, PEOPLE_TIME);
  r = await move(srv, tok.hd_sun, t.id, { to: 'reopened', note: '问题依旧' });
  assert.equal(r.status, 200, r.text);
  for (const who of ['lina', 'chenjing']) {
    const x = (await notes(who, t.id)).find((m) => m.kind === 'ticket_reopened');
    assert.ok(x, who);
    assert.match(x.body, /孙建国.*问题依旧/);
  }
  assert.equal((await notes('hd_sun', t.id)).filter((m) => m.kind === 'ticket_reopened').length, 0);
});

test('a customer\'s reply ends 挂起: in progress again, the SLA clock runs, the assignee is told', async () => {
  const t = await open(srv, tok.chenjing, { type: 'incident', title: '挂起恢复 pending-reply', category_id: id['交换机'],
    requester_id: id.hd_sun, impact: 2, urgency: 2, assignee_id: id.lina });
  assert.equal((await move(srv, tok.lina, t.id, { to: 'in_progress' })).status, 200);
  assert.equal((await move(srv, tok.lina, t.id, { to: 'pending', note: '等待客户提供日志' })).status, 200);
  let cur = await get(tok.lina, t.id);
  assert.equal(cur.status, 'pending');
  assert.ok(cur.sla.some((c) => c.state === 'paused'), JSON.stringify(cur.sla));
  // a staff comment does not end it
  let r = await srv.post(`${T(t.id)}/comments`, { body: '请尽快提供日志' }, { token: tok.lina });
  assert.equal(r.status, 201, r.text);
  assert.equal((await get(tok.lina, t.id)).status, 'pending');
  // another customer of the organisation answers
  r = await srv.post(`${T(t.id)}/comments`, { body: '日志已上传' }, { token: tok.hd_zhou });
  assert.equal(r.status, 201, r.text);
  cur = await get(tok.lina, t.id);
  assert.equal(cur.status, 'in_progress');
  assert.ok(!cur.sla.some((c) => c.state === 'paused'), JSON.stringify(cur.sla));
  const [n] = (await notes('lina', t.id)).filter((m) => m.kind === 'ticket_reply');
  assert.match(n.body, /周丽.*日志已上传/);
  const h = await srv.get(`${T(t.id)}/history?limit=200`, { token: tok.lina });
  assert.ok(h.json.items.some((i) => i.field === 'status' && i.old === 'pending' && i.new === 'in_progress'
    && i.actor.name === '周丽'), JSON.stringify(h.json.items.filter((i) => i.field === 'status')));
  // a reply while in progress tells the assignee and changes nothing else
  const v = cur.version;
  r = await srv.post(`${T(t.id)}/comments`, { body: '补充：昨晚也出现过' }, { token: tok.hd_sun });
  assert.equal(r.status, 201);
  assert.equal((await get(tok.lina, t.id)).version, v);
  assert.equal((await notes('lina', t.id)).filter((m) => m.kind === 'ticket_reply').length, 2);
});

test('moving a request into a category that needs approval starts the approval, as creating it there does', async () => {
  const t = await open(srv, tok.hd_sun, { type: 'request', title: '改分类审批 approval-move', category_id: id['桌面运维'] });
  assert.equal(t.status, 'new');
  let r = await move(srv, tok.chenjing, t.id, { to: 'assigned', assignee_id: id.zhangwei });
  assert.equal(r.status, 200, r.text);
  let cur = await get(tok.chenjing, t.id);
  // with an assignee in the same change: refused by name, nothing changes
  const before = srv.snapshot();
  r = await patch(tok.chenjing, cur, { category_id: id['账号权限'], assignee_id: id.chenjing });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, 'assignee_id');
  assert.equal(srv.snapshot(), before);
  r = await patch(tok.chenjing, cur, { category_id: id['账号权限'] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'pending_approval');
  assert.equal(r.json.assignee_id, null);
  const [n] = await notes('huanglei', t.id);
  assert.equal(n.kind, 'ticket_approval');
  assert.match(n.body, /账号权限/);
  const tr = await srv.get(`${T(t.id)}/transitions`, { token: tok.huanglei });
  assert.ok(tr.json.items.some((i) => i.to === 'approved'));
  // the same as a request created there: its approver is told too
  const c = await open(srv, tok.hd_zhou, { type: 'request', title: '直接审批 approval-create', category_id: id['账号权限'] });
  assert.equal(c.status, 'pending_approval');
  assert.equal((await notes('huanglei', c.id))[0].kind, 'ticket_approval');
  // an incident has no approval
  const i = await open(srv, tok.zhangwei, { type: 'incident', title: '事件改分类 approval-incident', category_id: id['桌面运维'] });
  r = await patch(tok.chenjing, i, { category_id: id['账号权限'] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'new');
});

test('GET /tickets/{id}/assignees: everyone the caller may pick, by group, the ticket\'s group first', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '指派候选 assignees', category_id: id['交换机'],
    requester_id: id.hd_sun });
  let r = await srv.get(`${T(t.id)}/assignees`, { token: tok.chenjing });
  assert.equal(r.status, 200, r.text);
  const g = r.json.groups;
  assert.equal(g[0].name, '基础网络室');
  assert.deepEqual(g[0].members.map((m) => m.login).sort(), ['lina', 'wangqiang']);
  assert.deepEqual(Object.keys(g[0].members[0]).sort(), ['id', 'login', 'name']);
  assert.deepEqual(g.map((x) => x.name).sort(), ['业务支撑室', '基础网络室', '综合调度室']);
  assert.ok(g.find((x) => x.name === '业务支撑室').members.some((m) => m.login === 'liuyang'));
  // an engineer of the group: only himself; one of another group, who may not change the
  // ticket (permission ticket.update), and a customer: 403
  r = await srv.get(`${T(t.id)}/assignees`, { token: tok.lina });
  assert.deepEqual(r.json.groups.map((x) => [x.name, x.members.map((m) => m.login)]), [['基础网络室', ['lina']]]);
  r = await srv.get(`${T(t.id)}/assignees`, { token: tok.liuyang });
  assert.equal(r.status, 403);
  r = await srv.get(`${T(t.id)}/assignees`, { token: tok.hd_sun });
  assert.equal(r.status, 403);
  r = await srv.get(`${T(999999)}/assignees`, { token: tok.chenjing });
  assert.equal(r.status, 404);
  r = await srv.get(`${T(t.id)}/assignees?x=1`, { token: tok.chenjing });
  assert.equal(r.status, 400);
});

test('assigning someone of another group through PATCH moves the ticket to that group in the same change', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '跨组指派 cross-group', category_id: id['交换机'] });
  let r = await patch(tok.chenjing, t, { assignee_id: id.liuyang });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.group_id, id['业务支撑室']);
  assert.equal(r.json.assignee_id, id.liuyang);
  assert.equal(r.json.status, 'assigned');
  assert.equal(r.json.version, t.version + 1);
  assert.equal((await notes('liuyang', t.id))[0].kind, 'ticket_assigned');
  // an engineer may not hand a ticket to another group
  const u = await open(srv, tok.zhangwei, { type: 'incident', title: '跨组 engineer', category_id: id['交换机'] });
  const before = srv.snapshot();
  r = await patch(tok.lina, u, { assignee_id: id.liuyang });
  assert.ok(r.status === 400 || r.status === 403, r.text);
  assert.equal(r.json.error.field, 'assignee_id');
  assert.equal(srv.snapshot(), before);
});

test('yunwei group desk shows and moves the service desk', async () => {
  assert.match(srv.cli(['group', 'desk']), /service desk is group \d+ 综合调度室/);
  assert.match(srv.cli(['group', 'desk', '基础网络室']), /基础网络室/);
  const t = await open(srv, tok.hd_sun, { type: 'incident', title: 'CLI 服务台 cli-desk' });
  assert.equal(t.group_id, id['基础网络室']);
  assert.throws(() => srv.cli(['group', 'desk', '没有这个组']), /no group/);
  assert.match(srv.cli(['group', 'desk', '综合调度室']), /综合调度室/);
  assert.deepEqual(srv.sql('SELECT name FROM groups WHERE is_desk = 1').map((g) => g.name), ['综合调度室']);
});

test('a comment by staff who work the ticket never ends pending, even when they logged it as its requester', async () => {
  const t = await open(srv, tok.chenjing, { type: 'incident', title: '自报挂起 self-requester', category_id: id['交换机'],
    assignee_id: id.lina });
  assert.equal(t.requester_id, id.chenjing);
  assert.equal((await move(srv, tok.lina, t.id, { to: 'in_progress' })).status, 200);
  assert.equal((await move(srv, tok.lina, t.id, { to: 'pending', note: '等厂商' })).status, 200);
  const r = await srv.post(`${T(t.id)}/comments`, { body: '厂商已回电' }, { token: tok.chenjing });
  assert.equal(r.status, 201, r.text);
  assert.equal((await get(tok.lina, t.id)).status, 'pending');
  assert.equal((await notes('lina', t.id)).filter((m) => m.kind === 'ticket_reply').length, 0);
});

test('the move to assigned takes the same cross-group pick: the ticket follows the assignee, with history', async () => {
  const t = await open(srv, tok.zhangwei, { type: 'incident', title: '跨组 transition cross-group', category_id: id['交换机'] });
  const r = await move(srv, tok.chenjing, t.id, { to: 'assigned', assignee_id: id.liuyang });
  assert.equal(r.status, 200, r.text);
  const cur = await get(tok.chenjing, t.id);
  assert.equal(cur.group_id, id['业务支撑室']);
  assert.equal(cur.assignee_id, id.liuyang);
  const h = await srv.get(`${T(t.id)}/history?limit=200`, { token: tok.chenjing });
  assert.ok(h.json.items.some((i) => i.field === 'group' && i.old === '基础网络室' && i.new === '业务支撑室'),
    JSON.stringify(h.json.items));
  // an engineer still only takes it himself
  const u = await open(srv, tok.zhangwei, { type: 'incident', title: '跨组 transition engineer', category_id: id['交换机'] });
  const before = srv.snapshot();
  const e = await move(srv, tok.lina, u.id, { to: 'assigned', assignee_id: id.liuyang });
  assert.ok(e.status === 400 || e.status === 403, e.text);
  assert.equal(srv.snapshot(), before);
});
