// SLA: policies (CRUD, validation, permissions, audit), the ticket's
// "sla" array and list filters, the clocks through the life cycle, and the
// report on a hand-computed set. Escalation and restarts: sla_sched.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoServer, open, move } from './tickets_helpers.mjs';
import { startServer, BIN } from './lib.mjs';
import { execFileSync } from 'node:child_process';

const P = '/api/v1/sla/policies';

let srv, tok, id;
before(async () => { ({ srv, tok, id } = await demoServer()); });
after(async () => { await srv.stop(); srv.cleanup(); });

const cal = (name) => srv.sql(`SELECT id FROM calendars WHERE name = '${name}'`)[0].id;
const policy = (over = {}) => ({
  name: '测试策略', match: { type: 'incident', priority: 'P1' }, pause_on_pending: true,
  targets: {
    response: { minutes: 10, calendar_id: cal('7x24'), thresholds: [50, 80],
      steps: [{ at: 50, notify: ['assignee'] }, { at: 100, notify: ['assignee', 'supervisor', 'manager'] }] },
    resolution: { minutes: 60, calendar_id: cal('cn-workday') },
  },
  ...over,
});

test('the shipped policies follow the department rules; staff read, customers may not', async () => {
  const r = await srv.get(P, { token: tok.zhangwei });
  assert.equal(r.status, 200);
  const byName = Object.fromEntries(r.json.items.map((p) => [p.name, p]));
  const l1 = byName['一级故障'];
  assert.deepEqual(l1.match, { type: 'incident', fault_level: 1, priority: null, organization_id: null, category_id: null });
  assert.equal(l1.targets.response.minutes, 15);
  assert.equal(l1.targets.onsite.minutes, 1440);
  assert.equal(l1.targets.resolution.minutes, 240);
  assert.equal(l1.targets.resolution.calendar_id, cal('7x24'));
  assert.equal(l1.pause_on_pending, false);
  assert.ok(l1.targets.resolution.steps.find((s) => s.at === 100).coordination);
  assert.equal(byName['二级故障'].targets.resolution.minutes, 480);
  assert.equal(byName['二级故障'].targets.onsite, null);
  assert.equal(byName['三级故障'].targets.response.minutes, 120);
  assert.equal(byName['三级故障'].targets.resolution.minutes, 1620);
  assert.equal(byName['三级故障'].targets.resolution.calendar_id, cal('cn-workday'));
  assert.equal(byName['服务请求'].targets.resolution.minutes, 2700);
  assert.deepEqual(r.json.items.map((p) => p.position), [1, 2, 3, 4]);
  assert.equal((await srv.get(P, { token: tok.hd_sun })).status, 403);
  assert.equal((await srv.get(`${P}/${l1.id}`, { token: tok.hd_sun })).status, 403);
});

test('policy writes are validated, admin only, and a refused one writes nothing', async () => {
  const before = srv.snapshot();
  const bad = [
    [tok.chenjing, policy(), 403, undefined],
    [tok.admin, policy({ targets: { response: { minutes: 10, calendar_id: 999 }, resolution: { minutes: 10, calendar_id: cal('7x24') } } }), 400, 'calendar_id'],
    [tok.admin, policy({ targets: { response: { minutes: 10 }, resolution: { minutes: 10, calendar_id: cal('7x24') } } }), 400, 'calendar_id'],
    [tok.admin, policy({ targets: { response: { minutes: 10, calendar_id: cal('7x24'), thresholds: [50, 120] }, resolution: { minutes: 10, calendar_id: cal('7x24') } } }), 400, 'thresholds'],
    [tok.admin, policy({ targets: { response: { minutes: 10, calendar_id: cal('7x24'), thresholds: [80, 50] }, resolution: { minutes: 10, calendar_id: cal('7x24') } } }), 400, 'thresholds'],
    [tok.admin, policy({ targets: { response: { minutes: 10, calendar_id: cal('7x24'), thresholds: [50], steps: [{ at: 50, notify: ['ceo'] }] }, resolution: { minutes: 10, calendar_id: cal('7x24') } } }), 400, 'notify'],
    [tok.admin, policy({ targets: { response: { minutes: 10, calendar_id: cal('7x24'), thresholds: [50], steps: [{ at: 70, notify: [] }] }, resolution: { minutes: 10, calendar_id: cal('7x24') } } }), 400, 'at'],
    [tok.admin, policy({ targets: { response: { minutes: 0, calendar_id: cal('7x24') }, resolution: { minutes: 10, calendar_id: cal('7x24') } } }), 400, 'minutes'],
    [tok.admin, policy({ targets: { response: { minutes: 10, calendar_id: cal('7x24') } } }), 400, 'targets'],
    [tok.admin, policy({ match: { fault_level: 4 } }), 400, 'match.fault_level'],
    [tok.admin, policy({ match: { type: 'request', fault_level: 1 } }), 400, 'match.fault_level'],
    [tok.admin, policy({ match: { organization_id: 999 } }), 400, 'match.organization_id'],
    [tok.admin, policy({ colour: 'red' }), 400, 'colour'],
    [tok.admin, policy({ name: '一级故障' }), 409, 'name'],
  ];
  for (const [token, body, status, field] of bad) {
    const r = await srv.post(P, body, { token });
    assert.equal(r.status, status, JSON.stringify(body) + ' ' + r.text);
    if (field) assert.equal(r.json.error.field, field, r.text);
  }
  assert.equal(srv.snapshot(), before);
});

test('admin creates, changes, orders and deletes a policy, each audited', async () => {
  let r = await srv.post(P, policy({ name: '大客户P1' }), { token: tok.admin });
  assert.equal(r.status, 201, r.text);
  const p = r.json;
  assert.equal(p.position, 5);
  assert.equal(p.version, 1);
  assert.deepEqual(p.targets.response.thresholds, [50, 80]);
  assert.deepEqual(p.targets.response.steps[1], { at: 100, notify: ['assignee', 'supervisor', 'manager'], coordination: false });
  assert.equal(p.match.priority, 'P1');

  r = await srv.patch(`${P}/${p.id}`, { description: 'x' }, { token: tok.admin });
  assert.equal(r.status, 428);
  r = await srv.patch(`${P}/${p.id}`, { description: 'x' }, { token: tok.admin, headers: { 'If-Match': '7' } });
  assert.equal(r.status, 409);
  r = await srv.patch(`${P}/${p.id}`, { description: 'x' }, { token: tok.chenjing, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 403);
  r = await srv.patch(`${P}/${p.id}`, { description: '重点客户', targets: { onsite: { minutes: 120, calendar_id: cal('7x24') } } },
    { token: tok.admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, 2);
  assert.equal(r.json.description, '重点客户');
  assert.equal(r.json.targets.onsite.minutes, 120);
  assert.equal(r.json.targets.response.minutes, 10);

  const all = (await srv.get(P, { token: tok.admin })).json.items.map((x) => x.id);
  const order = [p.id, ...all.filter((x) => x !== p.id)];
  r = await srv.put(`${P}/order`, { ids: order.slice(1) }, { token: tok.admin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'ids');
  r = await srv.put(`${P}/order`, { ids: order }, { token: tok.admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((x) => x.id), order);

  r = await srv.del(`${P}/${p.id}`, { token: tok.chenjing });
  assert.equal(r.status, 403);
  r = await srv.del(`${P}/${p.id}`, { token: tok.admin });
  assert.equal(r.status, 204);
  assert.equal((await srv.get(`${P}/${p.id}`, { token: tok.admin })).status, 404);
  const actions = srv.sql(`SELECT action FROM audit_log WHERE target_type = 'sla_policy' ORDER BY id`).map((x) => x.action);
  assert.deepEqual(actions, ['sla_policy.create', 'sla_policy.update', 'sla_policy.reorder', 'sla_policy.delete']);
});

test('a ticket shows its clocks; they stop, pause, resume, restart; filters find them', async () => {
  // level 2 (impact 1, urgency 2 → P2 → level 2): working time, pauses while pending
  const t = await open(srv, tok.huanglei, { type: 'incident', title: 'OA 登录失败', impact: 1, urgency: 2,
    group_id: id['业务支撑室'], assignee_id: id.liuyang });
  assert.equal(t.fault_level, 2);
  assert.deepEqual(t.sla.map((s) => s.target), ['response', 'resolution']);
  for (const s of t.sla) {
    assert.ok(['running', 'warning', 'breached'].includes(s.state));
    assert.equal(typeof s.remaining_minutes, 'number');
    assert.equal(s.paused, false);
    assert.ok(s.due_at === null || /Z$/.test(s.due_at));
  }
  assert.equal(t.sla[1].target_minutes, 480);
  const list = async (q) => (await srv.get(`/api/v1/tickets?${q}&limit=200`, { token: tok.huanglei })).json.items.map((x) => x.id);
  const state = async () => Object.fromEntries((await srv.get(`/api/v1/tickets/${t.id}`, { token: tok.liuyang })).json.sla.map((s) => [s.target, s]));

  assert.ok((await list('sla_state=running,warning,breached')).includes(t.id));
  assert.ok(!(await list('sla_state=met')).includes(t.id));
  assert.ok((await list('breach_before=2099-01-01T00:00:00Z')).includes(t.id));
  assert.ok(!(await list('breach_before=2000-01-01T00:00:00Z')).includes(t.id));
  let r = await srv.get('/api/v1/tickets?sla_state=late', { token: tok.huanglei });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'sla_state');
  r = await srv.get('/api/v1/tickets?breach_before=soon', { token: tok.huanglei });
  assert.equal(r.json.error.field, 'breach_before');

  // acknowledgement stops the response clock
  assert.equal((await move(srv, tok.liuyang, t.id, { to: 'in_progress' })).status, 200);
  let s = await state();
  assert.ok(['met', 'breached'].includes(s.response.state));
  assert.notEqual(s.response.stopped_at, null);
  // pending pauses the resolution clock (policy 二级故障 pauses)
  assert.equal((await move(srv, tok.liuyang, t.id, { to: 'pending', note: '等待客户确认' })).status, 200);
  s = await state();
  assert.equal(s.resolution.paused, true);
  assert.equal(s.resolution.due_at, null);
  if (s.resolution.state === 'paused') assert.ok((await list('sla_state=paused')).includes(t.id));
  assert.equal((await move(srv, tok.liuyang, t.id, { to: 'in_progress' })).status, 200);
  s = await state();
  assert.equal(s.resolution.paused, false);
  assert.equal((await move(srv, tok.liuyang, t.id, { to: 'resolved', resolution_code: 'fixed' })).status, 200);
  s = await state();
  assert.ok(['met', 'breached'].includes(s.resolution.state));
  // reopening starts a new resolution clock; the old cycle stays in the table
  assert.equal((await move(srv, tok.huanglei, t.id, { to: 'reopened', note: '问题复现' })).status, 200);
  s = await state();
  assert.equal(s.resolution.stopped_at, null);
  assert.equal(srv.sql(`SELECT COUNT(*) AS n FROM sla_clocks WHERE ticket_id = ${t.id} AND target = 'resolution'`)[0].n, 2);
  const hist = srv.sql(`SELECT field, old_value, new_value FROM ticket_history WHERE ticket_id = ${t.id} AND field LIKE 'sla%' ORDER BY id`);
  const fields = hist.map((h) => `${h.field}:${h.new_value}`);
  assert.ok(fields.includes('sla_clock:paused') && fields.includes('sla_clock:running'), fields.join(' '));
  assert.ok(fields.includes('sla_resolution:running'), fields.join(' '));
});

test('re-grading re-targets the open clocks and records it in the history', async () => {
  const t = await open(srv, tok.huanglei, { type: 'incident', title: '报表服务异常', impact: 2, urgency: 2,
    group_id: id['业务支撑室'], assignee_id: id.liuyang });
  assert.equal(t.fault_level, 3);
  assert.equal(t.sla.find((s) => s.target === 'resolution').target_minutes, 1620);
  const r = await srv.patch(`/api/v1/tickets/${t.id}`, { fault_level: 1, regrade_reason: '影响全省业务' },
    { token: tok.huanglei, headers: { 'If-Match': String(t.version) } });
  assert.equal(r.status, 200, r.text);
  const sla = Object.fromEntries(r.json.sla.map((s) => [s.target, s]));
  assert.equal(sla.resolution.target_minutes, 240);
  assert.equal(sla.response.target_minutes, 15);
  assert.equal(sla.onsite.target_minutes, 1440);
  const h = srv.sql(`SELECT old_value, new_value, note FROM ticket_history WHERE ticket_id = ${t.id} AND field = 'sla_policy' ORDER BY id`);
  assert.equal(h.at(-1).old_value, '三级故障');
  assert.equal(h.at(-1).new_value, '一级故障');
  assert.match(h.at(-1).note, /resolution: 1620 min -> 240 min/);
  // arriving on site stops the onsite clock
  let o = await srv.post(`/api/v1/tickets/${t.id}/onsite`, undefined, { token: tok.liuyang });
  assert.equal(o.status, 200, o.text);
  assert.ok(['met', 'breached'].includes(o.json.sla.find((s) => s.target === 'onsite').state));
  o = await srv.post(`/api/v1/tickets/${t.id}/onsite`, undefined, { token: tok.liuyang });
  assert.equal(o.status, 409);
  o = await srv.post(`/api/v1/tickets/${t.id}/onsite`, undefined, { token: tok.xn_li });
  assert.equal(o.status, 404);
});

test('the report: permissions and validation', async () => {
  assert.equal((await srv.get('/api/v1/sla/report', { token: tok.liuyang })).status, 403);
  assert.equal((await srv.get('/api/v1/sla/report', { token: tok.hd_sun })).status, 403);
  let r = await srv.get('/api/v1/sla/report?by=colour', { token: tok.zhaomin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'by');
  r = await srv.get('/api/v1/sla/report?from=2026-02-01&to=2026-01-01', { token: tok.zhaomin });
  assert.equal(r.json.error.field, 'to');
  r = await srv.get('/api/v1/sla/report?from=yesterday', { token: tok.zhaomin });
  assert.equal(r.json.error.field, 'from');
  r = await srv.get('/api/v1/sla/report?by=group', { token: tok.huanglei });
  assert.equal(r.status, 200);
  // a supervisor sees only the groups he leads
  for (const row of r.json.rows) assert.equal(row.key, id['业务支撑室']);
});

test('report numbers on a hand-computed set (fake clock)', async () => {
  // Monday 2026-03-02 10:00 (+08:00), a working day: every step below is in working time
  const T0 = Date.parse('2026-03-02T02:00:00Z') / 1000;
  const iso = (t) => new Date(t * 1000).toISOString().replace('.000', '');
  const prev = process.env.YW_FAKE_NOW;
  let s = null;
  const at = async (t, fn) => {
    process.env.YW_FAKE_NOW = String(t);
    s = s ? await startServer({ dir: s.dir }) : await startServer({ demo: true });
    try { await fn(s); } finally { await s.stop(); }
  };
  try {
    let k = {}, ids = {};
    await at(T0, async (x) => {
      for (const l of ['huanglei', 'liuyang', 'zhaomin']) k[l] = x.token(l);
      const g = x.sql("SELECT id FROM groups WHERE name = '业务支撑室'")[0].id;
      const u = x.sql("SELECT id FROM users WHERE login = 'liuyang'")[0].id;
      const mk = async (urgency) => (await open(x, k.huanglei, { type: 'incident', title: '报表', impact: 1, urgency,
        group_id: g, assignee_id: u })).id;
      ids.A = await mk(2); ids.B = await mk(2); // level 2: response 30, resolution 480 working minutes
      ids.C = await mk(3); // P3 → level 3: response 120, resolution 1620
    });
    await at(T0 + 600, async (x) => {
      assert.equal((await move(x, k.liuyang, ids.A, { to: 'in_progress' })).status, 200);
      assert.equal((await move(x, k.liuyang, ids.C, { to: 'in_progress' })).status, 200);
    });
    await at(T0 + 2400, async (x) => {
      assert.equal((await move(x, k.liuyang, ids.B, { to: 'in_progress' })).status, 200);
    });
    await at(T0 + 6000, async (x) => {
      assert.equal((await move(x, k.liuyang, ids.A, { to: 'resolved', resolution_code: 'fixed' })).status, 200);
    });
    await at(T0 + 7200, async (x) => {
      for (const t of [ids.B, ids.C])
        assert.equal((await move(x, k.liuyang, t, { to: 'resolved', resolution_code: 'fixed' })).status, 200);
      const r = await x.get(`/api/v1/sla/report?from=${iso(T0 - 3600)}&to=${iso(T0 + 86400)}&by=level`, { token: k.zhaomin });
      assert.equal(r.status, 200, r.text);
      const rows = Object.fromEntries(r.json.rows.map((w) => [w.key, w]));
      assert.deepEqual(Object.keys(rows).sort(), ['2', '3']);
      assert.deepEqual({ ...rows[2], name: undefined }, { key: 2, name: undefined, tickets: 2, met: 1, breached: 1, compliance: 50,
        response_mean: 25, response_p90: 40, resolution_mean: 110, resolution_p90: 120 });
      assert.deepEqual({ ...rows[3], name: undefined }, { key: 3, name: undefined, tickets: 1, met: 1, breached: 0, compliance: 100,
        response_mean: 10, response_p90: 10, resolution_mean: 120, resolution_p90: 120 });
      const tot = r.json.total;
      assert.equal(tot.tickets, 3);
      assert.equal(tot.met, 2);
      assert.equal(tot.breached, 1);
      assert.equal(tot.compliance, 66.7);
      assert.equal(tot.response_mean, 20);
      assert.equal(tot.response_p90, 40);
      assert.equal(tot.resolution_mean, 113.3);
      assert.equal(tot.resolution_p90, 120);
      // the CLI prints the same report
      const out = x.cli(['sla', 'report', '--from', iso(T0 - 3600), '--to', iso(T0 + 86400), '--json'],
        { env: { YW_FAKE_NOW: String(T0 + 7200) } });
      assert.equal(JSON.parse(out).total.compliance, 66.7);
    });
  } finally {
    if (prev === undefined) delete process.env.YW_FAKE_NOW; else process.env.YW_FAKE_NOW = prev;
    if (s) s.cleanup();
  }
});

const cli = (args, input) => execFileSync(BIN, args, { encoding: 'utf8', input, stdio: 'pipe',
  env: { ...process.env, YUNWEI_DB: srv.db } });

test('the CLI manages policies like the API', async () => {
  const body = JSON.stringify(policy({ name: 'CLI策略' }));
  const out = cli(['sla', 'policy', 'add', '--file', '-'], body);
  assert.equal(JSON.parse(out).name, 'CLI策略');
  assert.match(srv.cli(['sla', 'policy', 'list']), /CLI策略/);
  assert.throws(() => cli(['sla', 'policy', 'set', 'CLI策略', '--file', '-'], '{"targets":{"response":{"minutes":5,"calendar_id":999}}}'),
    /calendar_id names no calendar/);
  srv.cli(['sla', 'policy', 'delete', 'CLI策略']);
  assert.doesNotMatch(srv.cli(['sla', 'policy', 'list']), /CLI策略/);
});
