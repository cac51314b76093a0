// A change to a business calendar moves the deadlines of the running SLA
// clocks on it, in the same commit, with a history row on each ticket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib.mjs';

let srv, admin;
before(async () => {
  // Tuesday 2026-12-01 10:00 in Shanghai, fixed, so the deadlines are exact
  process.env.YW_FAKE_NOW = '2026-12-01T10:00:00+08:00';
  srv = await startServer({ demo: true });
  delete process.env.YW_FAKE_NOW;
  admin = srv.token('admin');
});
after(async () => { await srv.stop(); srv.cleanup(); });

const due = (t, target) => t.sla.find((c) => c.target === target)?.due_at;

test('importing a holiday moves a running resolution deadline by a working day', async () => {
  // impact 2 x urgency 2 = P3, fault level 3: resolution in 1620 working minutes on cn-workday
  let r = await srv.post('/api/v1/tickets', { type: 'incident', title: '办公网打印机故障', impact: 2, urgency: 2 },
    { token: admin });
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  assert.equal(r.json.fault_level, 3);
  // Tue 10:00-18:00 (480) + Wed (540) + Thu (540) + Fri 09:00-10:00 (60)
  assert.equal(due(r.json, 'resolution'), '2026-12-04T02:00:00Z');

  const pending = () => srv.sql(`SELECT t.due_at, c.warn_at FROM sla_timers t JOIN sla_clocks c ON c.id = t.clock_id
    WHERE t.ticket_id = ${id} AND c.target = 'resolution' AND c.current = 1 AND t.fired_at IS NULL`);
  const before = pending();
  assert.equal(before.length, 1, JSON.stringify(before));
  assert.equal(before[0].due_at, before[0].warn_at);

  const cals = (await srv.get('/api/v1/calendars', { token: admin })).json.items;
  const cn = cals.find((c) => c.name === 'cn-workday');
  r = await srv.req('POST', `/api/v1/calendars/${cn.id}/import`, {
    token: admin,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ year: 2026, days: [{ name: '临时停工', date: '2026-12-03', isOffDay: true }] }),
  });
  assert.equal(r.status, 200, r.text);

  // Thursday is off now: Fri (540) leaves 60, the weekend is off, Mon 09:00-10:00
  const t = (await srv.get(`/api/v1/tickets/${id}`, { token: admin })).json;
  assert.equal(due(t, 'resolution'), '2026-12-07T02:00:00Z');
  const h = (await srv.get(`/api/v1/tickets/${id}/history`, { token: admin })).json.items;
  const row = h.find((e) => e.field === 'sla_resolution' && e.note === 'the business calendar changed');
  assert.ok(row, JSON.stringify(h));
  assert.equal(row.old, '2026-12-04T02:00:00Z');
  assert.equal(row.new, '2026-12-07T02:00:00Z');
  // the clock's one pending timer is its 50% warning, Wed 14:30 (810 working
  // minutes in): still there once, as Thursday does not move it
  const iso = (s) => new Date(s * 1000).toISOString().replace('.000', '');
  assert.equal(iso(before[0].due_at), '2026-12-02T06:30:00Z');
  assert.deepEqual(pending(), before);

  // Wednesday off as well: the warning moves to Fri 14:30, and its timer with it
  r = await srv.req('POST', `/api/v1/calendars/${cn.id}/import`, {
    token: admin,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ year: 2026, days: [{ name: '临时停工', date: '2026-12-02', isOffDay: true },
      { name: '临时停工', date: '2026-12-03', isOffDay: true }] }),
  });
  assert.equal(r.status, 200, r.text);
  const after = pending();
  assert.equal(after.length, 1, JSON.stringify(after));
  assert.equal(iso(after[0].due_at), '2026-12-04T06:30:00Z');
  assert.equal(after[0].due_at, after[0].warn_at);
});

test('a calendar changed by another process is used for the next ticket at once', async () => {
  // The server's threads keep the calendars they loaded while the 'sla'
  // cache generation stands; a write to a calendar's days changes it
  // (migration 0010), whoever writes: here sqlite3 beside the server,
  // leaving the calendar's version as it was.
  const body = { type: 'incident', title: '机房空调告警', impact: 2, urgency: 2 };
  let r = await srv.post('/api/v1/tickets', body, { token: admin });
  assert.equal(r.status, 201, r.text);
  // Wednesday and Thursday are off (the previous test): Tue 10:00-18:00 (480) + Fri (540)
  // + Mon (540) + Tue 09:00-10:00 (60) = 1620
  assert.equal(due(r.json, 'resolution'), '2026-12-08T02:00:00Z');
  const cn = srv.sql("SELECT id, version FROM calendars WHERE name = 'cn-workday'")[0];
  srv.sql(`INSERT INTO calendar_days (calendar_id, day, kind, name) VALUES (${cn.id}, '2026-12-07', 'off', '外部停工')`);
  r = await srv.post('/api/v1/tickets', body, { token: admin });
  assert.equal(r.status, 201, r.text);
  // Monday off too: the last hour moves to Wednesday 09:00-10:00
  assert.equal(due(r.json, 'resolution'), '2026-12-09T02:00:00Z');
  assert.equal(srv.sql(`SELECT version FROM calendars WHERE id = ${cn.id}`)[0].version, cn.version);
  srv.sql(`DELETE FROM calendar_days WHERE calendar_id = ${cn.id} AND day = '2026-12-07'`);
  r = await srv.post('/api/v1/tickets', body, { token: admin });
  assert.equal(due(r.json, 'resolution'), '2026-12-08T02:00:00Z');
});
