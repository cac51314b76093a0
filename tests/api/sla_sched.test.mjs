// SLA escalation and the scheduler: warnings and breaches notify exactly
// once per step, what fell due while the server was down fires once on
// start in due order, a SIGKILL around the deadlines loses and doubles
// nothing, the scheduler wakes early for a new deadline; and the
// notifications API (own only, unread, paging, read, read-all).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib.mjs';
import { open } from './tickets_helpers.mjs';

// Monday 2026-03-02 10:00 (+08:00)
const T0 = Date.parse('2026-03-02T02:00:00Z') / 1000;
let s = null;
const k = {}, id = {};
after(() => { delete process.env.YW_FAKE_NOW; if (s) s.cleanup(); });

async function serve(t) {
  process.env.YW_FAKE_NOW = String(t);
  s = s ? await startServer({ dir: s.dir }) : await startServer({ demo: true });
  return s;
}

async function waitFor(fn, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// a tiny around-the-clock policy for P1 incidents: 1 and 2 minutes
async function tinyPolicy(x) {
  const c = x.sql("SELECT id FROM calendars WHERE name = '7x24'")[0].id;
  const body = {
    name: '测试1分钟', match: { type: 'incident', priority: 'P1' }, pause_on_pending: false,
    targets: {
      response: { minutes: 1, calendar_id: c, thresholds: [50],
        steps: [{ at: 50, notify: ['assignee'] }, { at: 100, notify: ['assignee', 'supervisor', 'manager'] }] },
      resolution: { minutes: 2, calendar_id: c, thresholds: [60],
        steps: [{ at: 60, notify: ['assignee'] }, { at: 100, notify: ['assignee', 'supervisor', 'manager'], coordination: true }] },
    },
  };
  let r = await x.post('/api/v1/sla/policies', body, { token: k.admin });
  assert.equal(r.status, 201, r.text);
  const ids = (await x.get('/api/v1/sla/policies', { token: k.admin })).json.items.map((p) => p.id);
  r = await x.put('/api/v1/sla/policies/order', { ids: [r.json.id, ...ids.filter((i) => i !== r.json.id)] }, { token: k.admin });
  assert.equal(r.status, 200, r.text);
}

async function p1(x, title) {
  return (await open(x, k.huanglei, { type: 'incident', title, impact: 1, urgency: 1, fault_level: 1,
    group_id: id.group, assignee_id: id.liuyang })).id;
}

// the SLA's own notices (a ticket created assigned also tells its assignee: ticket_assigned)
const notes = (x, t) => x.sql(`SELECT u.login, n.kind, n.subject_zh, n.subject_en FROM notifications n
  JOIN users u ON u.id = n.user_id WHERE n.ticket_id = ${t} AND n.kind LIKE 'sla\\_%' ESCAPE '\\' ORDER BY n.id`);
const unfired = (x, t) => x.sql(`SELECT COUNT(*) AS n FROM sla_timers WHERE ticket_id = ${t} AND fired_at IS NULL`)[0].n;

function assertOneEscalationPerStep(x, t) {
  const n = notes(x, t);
  const count = (login, kind) => n.filter((r) => r.login === login && r.kind === kind).length;
  assert.equal(count('liuyang', 'sla_warning'), 2, JSON.stringify(n));
  assert.equal(count('liuyang', 'sla_breach'), 2);
  assert.equal(count('huanglei', 'sla_breach'), 2);
  assert.equal(count('zhaomin', 'sla_breach'), 2);
  assert.equal(n.length, 8);
  const h = x.sql(`SELECT new_value FROM ticket_history WHERE ticket_id = ${t} AND field = 'sla_escalation' ORDER BY id`);
  // in due order: response 50% (30 s), response breach (60 s), resolution
  // 60% (72 s), resolution breach (120 s). A clock has one timer pending at
  // a time, so catching up, the response breach is written only when its 50%
  // fires, after the resolution's 60% was read: it still fires before.
  assert.deepEqual(h.map((r) => r.new_value), ['response 50%', 'response breached', 'resolution 60%', 'resolution breached']);
  const co = x.sql(`SELECT target, participants FROM sla_coordinations WHERE ticket_id = ${t}`);
  assert.equal(co.length, 1);
  assert.equal(co[0].target, 'resolution');
  assert.deepEqual(JSON.parse(co[0].participants).map((p) => p.role), ['assignee', 'supervisor', 'manager']);
  const timers = x.sql(`SELECT threshold, fired_at FROM sla_timers WHERE ticket_id = ${t} ORDER BY clock_id, threshold`);
  assert.deepEqual(timers.map((r) => r.threshold), [50, 100, 60, 100]);
  assert.ok(timers.every((r) => r.fired_at !== null));
}

test('deadlines that pass while the server is down fire once on start, in due order', async () => {
  let x = await serve(T0);
  for (const l of ['admin', 'huanglei', 'liuyang', 'zhaomin', 'chenjing', 'hd_sun']) k[l] = x.token(l);
  id.group = x.sql("SELECT id FROM groups WHERE name = '业务支撑室'")[0].id;
  id.liuyang = x.sql("SELECT id FROM users WHERE login = 'liuyang'")[0].id;
  await tinyPolicy(x);
  id.t1 = await p1(x, '核心业务中断');
  const t = (await x.get(`/api/v1/tickets/${id.t1}`, { token: k.liuyang })).json;
  assert.deepEqual(t.sla.map((c) => [c.target, c.state, c.remaining_minutes, c.target_minutes]),
    [['response', 'running', 1, 1], ['resolution', 'running', 2, 2]]);
  assert.equal(t.sla[0].due_at, new Date((T0 + 60) * 1000).toISOString().replace('.000', ''));
  await x.stop();
  assert.equal(notes(x, id.t1).length, 0);

  // ten minutes later: everything is overdue
  x = await serve(T0 + 600);
  await waitFor(() => unfired(x, id.t1) === 0);
  assertOneEscalationPerStep(x, id.t1);
  const j = (await x.get(`/api/v1/tickets/${id.t1}`, { token: k.huanglei })).json;
  assert.deepEqual(j.sla.map((c) => c.state), ['breached', 'breached']);
  assert.equal(j.sla[0].remaining_minutes, -9);
  assert.equal(j.coordinations.length, 1);
  assert.equal(j.coordinations[0].participants.length, 3);
  const bz = (await x.get(`/api/v1/tickets?sla_state=breached&limit=200`, { token: k.huanglei })).json.items.map((i) => i.id);
  assert.ok(bz.includes(id.t1));
  // customers see no coordination records
  await x.stop();

  // a restart with nothing new due fires nothing again
  x = await serve(T0 + 600);
  await new Promise((r) => setTimeout(r, 300));
  await x.stop();
  assertOneEscalationPerStep(x, id.t1);
});

test('SIGKILL around the deadlines: exactly one escalation per step afterwards', async () => {
  let x = await serve(T0 + 1200);
  id.t2 = await p1(x, '数据中心断电');
  await x.stop();
  // all four timers fall due at once; kill the server the moment it serves
  x = await serve(T0 + 1800);
  await x.stop('SIGKILL');
  x = await serve(T0 + 1800);
  await waitFor(() => unfired(x, id.t2) === 0);
  await x.stop('SIGKILL');
  x = await serve(T0 + 1800);
  await new Promise((r) => setTimeout(r, 300));
  await x.stop();
  assertOneEscalationPerStep(x, id.t2);
});

test('notifications: own only, unread filter, paging, read, read-all', async () => {
  const x = await serve(T0 + 1800);
  try {
    let r = await x.get('/api/v1/notifications', { token: k.liuyang });
    assert.equal(r.status, 200);
    const mine = r.json.items.filter((n) => [id.t1, id.t2].includes(n.ticket_id) && n.kind.startsWith('sla_'));
    assert.equal(mine.length, 8);
    const n0 = mine[0];
    assert.match(n0.subject, /SLA/);
    assert.match(n0.body, /工单/);
    assert.match(n0.body_en, /Ticket/);
    // the due time as people read it, in the calendar's zone (Asia/Shanghai)
    assert.match(n0.body, /截止 2026-03-02 10:\d{2}。|于 2026-03-02 10:\d{2} 超时/);
    assert.doesNotMatch(n0.body + n0.body_en, /\d{2}T\d{2}:|\+08:00/);
    assert.equal(n0.channel, 'inbox');
    assert.equal(n0.read_at, null);
    assert.match(n0.ticket_number, /^INC/);
    const total = r.json.items.length;
    assert.equal(r.json.unread, total);
    assert.equal((await x.get('/api/v1/notifications/unread-count', { token: k.liuyang })).json.unread, total);

    // paging with a cursor, newest first, no duplicates
    const seen = [];
    let cursor = null;
    do {
      r = await x.get(`/api/v1/notifications?limit=3${cursor ? '&cursor=' + cursor : ''}`, { token: k.liuyang });
      assert.equal(r.status, 200);
      seen.push(...r.json.items.map((n) => n.id));
      cursor = r.json.next_cursor;
    } while (cursor);
    assert.equal(seen.length, total);
    assert.deepEqual([...seen].sort((a, b) => b - a), seen);
    r = await x.get('/api/v1/notifications?cursor=zzz', { token: k.liuyang });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'cursor');
    r = await x.get('/api/v1/notifications?unread=maybe', { token: k.liuyang });
    assert.equal(r.json.error.field, 'unread');

    // another user's notification is not found, and stays unread
    r = await x.post(`/api/v1/notifications/${n0.id}/read`, undefined, { token: k.huanglei });
    assert.equal(r.status, 404);
    r = await x.post(`/api/v1/notifications/${n0.id}/read`, undefined, { token: k.hd_sun });
    assert.equal(r.status, 404);
    r = await x.post(`/api/v1/notifications/${n0.id}/read`, undefined, { token: k.liuyang });
    assert.equal(r.status, 200);
    assert.notEqual(r.json.read_at, null);
    r = await x.get('/api/v1/notifications?unread=true&limit=200', { token: k.liuyang });
    assert.equal(r.json.items.length, total - 1);
    assert.ok(!r.json.items.some((n) => n.id === n0.id));
    assert.equal(r.json.unread, total - 1);
    r = await x.post('/api/v1/notifications/read-all', undefined, { token: k.liuyang });
    assert.equal(r.json.marked, total - 1);
    assert.equal((await x.get('/api/v1/notifications/unread-count', { token: k.liuyang })).json.unread, 0);
    // the supervisor's own are untouched
    assert.ok((await x.get('/api/v1/notifications/unread-count', { token: k.huanglei })).json.unread >= 4);
    // a customer has none of these (only its own: the demo asks it to confirm a resolution)
    const cust = (await x.get('/api/v1/notifications?limit=200', { token: k.hd_sun })).json.items;
    assert.ok(!cust.some((n) => [id.t1, id.t2].includes(n.ticket_id) || n.kind.startsWith('sla_')), JSON.stringify(cust));
  } finally {
    await x.stop();
  }
});

test('the scheduler sleeps until the next deadline and wakes for a new one (real clock)', async () => {
  delete process.env.YW_FAKE_NOW;
  const x = await startServer({ dir: s.dir });
  try {
    // a 1-minute response target whose 2% warning falls due 2 s after creation
    const c = x.sql("SELECT id FROM calendars WHERE name = '7x24'")[0].id;
    const pol = (await x.get('/api/v1/sla/policies', { token: k.admin })).json.items.find((p) => p.name === '测试1分钟');
    const r = await x.patch(`/api/v1/sla/policies/${pol.id}`, { targets: { response: { minutes: 1, calendar_id: c, thresholds: [2],
      steps: [{ at: 2, notify: ['assignee'] }] } } }, { token: k.admin, headers: { 'If-Match': String(pol.version) } });
    assert.equal(r.status, 200, r.text);
    // let the scheduler fall asleep on whatever it has
    await new Promise((res) => setTimeout(res, 300));
    const t0 = Date.now();
    const t = await p1(x, '实时告警');
    const got = await waitFor(async () => (await x.get('/api/v1/notifications?limit=200', { token: k.liuyang }))
      .json.items.find((n) => n.ticket_id === t && n.kind.startsWith('sla_')), 8000);
    const ms = Date.now() - t0;
    assert.equal(got.kind, 'sla_warning');
    assert.ok(ms >= 1000 && ms < 5000, `fired after ${ms} ms`);
    assert.match(x.getLog(), /scheduler fired 1 SLA timer/);
  } finally {
    await x.stop();
  }
});
