// Business calendars through the API and the CLI: the built-in calendars,
// CRUD with validation and versions, day lists, imports that write all
// or nothing, permissions, and the CLI's arithmetic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from './lib.mjs';

const DATA = new URL('../data/holiday-cn/', import.meta.url).pathname;
let srv, admin, eng, cust, cnId;

before(async () => {
  srv = await startServer();
  srv.sql(`INSERT INTO organizations (id, name, created_at, updated_at) VALUES (1, '客户甲', 0, 0);
           INSERT INTO users (login, display_name, role, org_id, created_at, updated_at) VALUES
             ('eng', '工程师', 'engineer', NULL, 0, 0), ('cust', '客户', 'customer', 1, 0, 0);`);
  admin = srv.token('admin');
  eng = srv.token('eng');
  cust = srv.token('cust');
  cnId = srv.sql("SELECT id FROM calendars WHERE name = 'cn-workday'")[0].id;
});
after(async () => { await srv.stop(); srv.cleanup(); });

const weekday = (start = '09:00', end = '18:00') =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start, end }]]));

test('the built-in calendars are there for staff, with the shipped holidays', async () => {
  const r = await srv.get('/api/v1/calendars', { token: eng });
  assert.equal(r.status, 200);
  const names = r.json.items.map((c) => c.name);
  assert.deepEqual(names.slice(0, 2), ['7x24', 'cn-workday']);
  assert.equal(r.json.next_cursor, null);
  const cn = r.json.items[1];
  assert.equal(cn.timezone, 'Asia/Shanghai');
  assert.equal(cn.builtin, true);
  assert.deepEqual(cn.windows.mon, [{ start: '09:00', end: '18:00' }]);
  assert.deepEqual(cn.windows.sat, []);
  assert.deepEqual(cn.years, [2025, 2026]);
  assert.deepEqual(r.json.items[0].windows.sun, [{ start: '00:00', end: '24:00' }]);

  const d = await srv.get(`/api/v1/calendars/${cnId}/days?year=2026`, { token: eng });
  assert.equal(d.status, 200);
  const byDate = Object.fromEntries(d.json.items.map((x) => [x.date, x]));
  assert.equal(byDate['2026-02-14'].kind, 'workday');
  assert.equal(byDate['2026-02-28'].kind, 'workday');
  assert.equal(byDate['2026-02-17'].kind, 'off');
  assert.equal(byDate['2026-02-17'].name, '春节');
  assert.equal(byDate['2026-10-01'].kind, 'off');
  assert.equal(d.json.items.length, 39);
});

test('paging with a cursor, and bad query parameters', async () => {
  let r = await srv.get('/api/v1/calendars?limit=1', { token: eng });
  assert.equal(r.json.items.length, 1);
  assert.ok(r.json.next_cursor);
  r = await srv.get(`/api/v1/calendars?limit=1&cursor=${r.json.next_cursor}`, { token: eng });
  assert.equal(r.json.items[0].name, 'cn-workday');
  r = await srv.get('/api/v1/calendars?cursor=!!!', { token: eng });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'cursor');
  r = await srv.get('/api/v1/calendars?colour=red', { token: eng });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'colour');
  r = await srv.get(`/api/v1/calendars/${cnId}/days?year=1800`, { token: eng });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'year');
  r = await srv.get('/api/v1/calendars/999', { token: eng });
  assert.equal(r.status, 404);
});

test('customers may not see calendars; engineers may not change them', async () => {
  for (const path of ['/api/v1/calendars', `/api/v1/calendars/${cnId}`, `/api/v1/calendars/${cnId}/days?year=2026`]) {
    const r = await srv.get(path, { token: cust });
    assert.equal(r.status, 403, path);
  }
  const before = srv.snapshot();
  let r = await srv.post('/api/v1/calendars', { name: 'x' }, { token: eng });
  assert.equal(r.status, 403);
  r = await srv.patch(`/api/v1/calendars/${cnId}`, { description: 'x' }, { token: eng, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 403);
  r = await srv.req('POST', `/api/v1/calendars/${cnId}/import`,
    { token: eng, body: readFileSync(DATA + '2024.json'), headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 403);
  r = await srv.get('/api/v1/calendars');
  assert.equal(r.status, 401);
  assert.equal(srv.snapshot(), before);
});

test('create, read and change a calendar, with If-Match', async () => {
  let r = await srv.post('/api/v1/calendars', {
    name: '二线支持', description: 'second line', timezone: 'Europe/Berlin',
    windows: { mon: [{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }], sat: [] },
  }, { token: admin });
  assert.equal(r.status, 201, r.text);
  const cal = r.json;
  assert.equal(cal.name, '二线支持');
  assert.equal(cal.timezone, 'Europe/Berlin');
  assert.equal(cal.version, 1);
  assert.equal(cal.builtin, false);
  assert.deepEqual(cal.windows.mon, [{ start: '09:00', end: '12:00' }, { start: '13:30', end: '18:00' }]);
  assert.deepEqual(cal.windows.tue, []);
  const audit = srv.sql(`SELECT action FROM audit_log WHERE target_type = 'calendar' AND target_id = ${cal.id}`);
  assert.deepEqual(audit.map((a) => a.action), ['calendar.create']);

  r = await srv.post('/api/v1/calendars', { name: '二线支持' }, { token: admin });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'name');

  r = await srv.patch(`/api/v1/calendars/${cal.id}`, { timezone: 'Asia/Shanghai' }, { token: admin });
  assert.equal(r.status, 428);
  r = await srv.patch(`/api/v1/calendars/${cal.id}`, { timezone: 'Asia/Shanghai' }, { token: admin, headers: { 'If-Match': '5' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'version_conflict');
  r = await srv.patch(`/api/v1/calendars/${cal.id}`, { timezone: 'Asia/Shanghai', windows: weekday() },
    { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, 2);
  assert.equal(r.json.timezone, 'Asia/Shanghai');
  assert.equal(r.json.description, 'second line');
  assert.deepEqual(r.json.windows.fri, [{ start: '09:00', end: '18:00' }]);

  r = await srv.get(`/api/v1/calendars/${cal.id}`, { token: eng });
  assert.equal(r.json.version, 2);
  r = await srv.patch(`/api/v1/calendars/${cnId}`, { name: 'mine' }, { token: admin, headers: { 'If-Match': `${r.json.version}` } });
  assert.ok([400, 409].includes(r.status));
});

test('invalid calendars are refused with the field at fault, and nothing is written', async () => {
  const cases = [
    [{ name: 'a', timezone: 'Mars/Olympus' }, 'timezone'],
    [{ name: 'a', timezone: '../../etc/passwd' }, 'timezone'],
    [{ name: 'a', windows: { mon: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '14:00' }] } }, 'windows.mon'],
    [{ name: 'a', windows: { tue: [{ start: '12:00', end: '09:00' }] } }, 'windows.tue'],
    [{ name: 'a', windows: { wed: [{ start: '12:00', end: '12:00' }] } }, 'windows.wed'],
    [{ name: 'a', windows: { thu: [{ start: '9:00', end: '12:00' }] } }, 'windows.thu'],
    [{ name: 'a', windows: { fri: [{ start: '09:00', end: '25:00' }] } }, 'windows.fri'],
    [{ name: 'a', windows: { funday: [] } }, 'windows'],
    [{ name: 'a', windows: { mon: Array.from({ length: 9 }, (_, i) => ({ start: `0${i}:00`, end: `0${i}:30` })) } }, 'windows.mon'],
    [{ name: 'a', windows: [] }, 'windows'],
    [{ description: 'no name' }, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'a', colour: 'red' }, 'colour'],
  ];
  const before = srv.snapshot();
  for (const [body, field] of cases) {
    const r = await srv.post('/api/v1/calendars', body, { token: admin });
    assert.equal(r.status, 400, JSON.stringify(body) + ' ' + r.text);
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  // the version is checked first (as for tickets), then the fields
  const v = (await srv.get(`/api/v1/calendars/${cnId}`, { token: admin })).json.version;
  const r = await srv.patch(`/api/v1/calendars/${cnId}`, { windows: { mon: [{ start: '18:00', end: '09:00' }] } },
    { token: admin, headers: { 'If-Match': String(v) } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'windows.mon');
  assert.equal(srv.snapshot(), before);
});

test('a year of days can be replaced, with If-Match', async () => {
  let r = await srv.get(`/api/v1/calendars/${cnId}/days?year=2027`, { token: admin });
  assert.deepEqual(r.json.items, []);
  const v = r.json.version;
  const days = [
    { date: '2027-02-06', kind: 'off', name: '春节' },
    { date: '2027-02-20', kind: 'workday', name: '春节', windows: [{ start: '10:00', end: '16:00' }] },
  ];
  r = await srv.put(`/api/v1/calendars/${cnId}/days?year=2027`, { days }, { token: admin });
  assert.equal(r.status, 428);
  const before = srv.snapshot();
  for (const [bad, field] of [
    [[{ date: '2027-02-30', kind: 'off' }], 'days[0].date'],
    [[{ date: '2026-02-03', kind: 'off' }], 'days[0].date'],
    [[{ date: '2027-02-03', kind: 'holiday' }], 'days[0].kind'],
    [[{ date: '2027-02-03', kind: 'off', windows: [{ start: '09:00', end: '10:00' }] }], 'days[0].windows'],
    [[{ date: '2027-02-03', kind: 'off' }, { date: '2027-02-03', kind: 'off' }], 'days'],
  ]) {
    const b = await srv.put(`/api/v1/calendars/${cnId}/days?year=2027`, { days: bad }, { token: admin, headers: { 'If-Match': `${v}` } });
    assert.equal(b.status, 400, b.text);
    assert.equal(b.json.error.field, field);
  }
  assert.equal(srv.snapshot(), before);
  r = await srv.put(`/api/v1/calendars/${cnId}/days?year=2027`, { days }, { token: admin, headers: { 'If-Match': `${v}` } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, v + 1);
  assert.equal(r.json.items.length, 2);
  assert.deepEqual(r.json.items[1].windows, [{ start: '10:00', end: '16:00' }]);
  assert.equal(r.json.items[0].windows, null);
  // the CLI computes with the new day at once
  assert.equal(srv.cli(['calendar', 'add', 'cn-workday', '2027-02-19T17:00', '120']).trim(), '2027-02-20T11:00:00+08:00');
  r = await srv.put(`/api/v1/calendars/${cnId}/days?year=2027`, { days }, { token: admin, headers: { 'If-Match': `${v}` } });
  assert.equal(r.status, 409);
});

test('import holiday-cn JSON and iCalendar; a bad file writes nothing', async () => {
  const before = srv.snapshot();
  const ics = readFileSync(DATA + '2024.ics', 'utf8');
  const lines = ics.split('\n');
  const at = lines.findIndex((l) => l.startsWith('DTSTART;VALUE=DATE:20240404'));
  lines[at] = 'DTSTART;VALUE=DATE:20240431\r';
  let r = await srv.req('POST', `/api/v1/calendars/${cnId}/import`,
    { token: admin, body: lines.join('\n'), headers: { 'Content-Type': 'text/calendar; charset=utf-8' } });
  assert.equal(r.status, 400);
  // zh-CN unless the client asks for English
  assert.match(r.json.error.message, new RegExp(`第 ${at + 1} 行：DTSTART 不是有效的日期`));
  const json = JSON.parse(readFileSync(DATA + '2024.json', 'utf8'));
  json.days[5].date = '2024-02-30';
  r = await srv.req('POST', `/api/v1/calendars/${cnId}/import`,
    { token: admin, body: JSON.stringify(json), headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.match(r.json.error.message, /2024-02-30/);
  r = await srv.req('POST', `/api/v1/calendars/${cnId}/import`,
    { token: admin, body: 'hello', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(r.status, 415);
  r = await srv.req('POST', `/api/v1/calendars/${cnId}/import`,
    { token: admin, body: '', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.equal(srv.snapshot(), before);

  r = await srv.req('POST', `/api/v1/calendars/${cnId}/import`,
    { token: admin, body: readFileSync(DATA + '2024.ics'), headers: { 'Content-Type': 'text/calendar' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.imported, 36);
  assert.equal(r.json.workdays, 8);
  assert.equal(r.json.first_year, 2024);
  assert.deepEqual(r.json.calendar.years.slice(0, 3), [2024, 2025, 2026]);
  r = await srv.get(`/api/v1/calendars/${cnId}/days?year=2024`, { token: eng });
  assert.equal(r.json.items.length, 36);
  assert.equal(r.json.items.find((d) => d.date === '2024-02-18').kind, 'workday');
  // the same year as JSON merges by date: nothing new
  r = await srv.req('POST', `/api/v1/calendars/${cnId}/import`,
    { token: admin, body: readFileSync(DATA + '2024.json'), headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 200);
  assert.equal(srv.sql(`SELECT COUNT(*) AS n FROM calendar_days WHERE calendar_id = ${cnId} AND day LIKE '2024-%'`)[0].n, 36);
  const audit = srv.sql(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'calendar.import'`);
  assert.equal(audit[0].n, 2);
});

test('CLI: add, between, show, list and import', async () => {
  const cli = (...a) => srv.cli(['calendar', ...a]).trim();
  assert.equal(cli('add', 'cn-workday', '2026-02-13T17:00:00+08:00', '120'), '2026-02-14T10:00:00+08:00');
  assert.equal(cli('add', 'cn-workday', '2026-02-14T17:00', '120'), '2026-02-24T10:00:00+08:00');
  assert.equal(cli('add', 'cn-workday', '2026-02-27T17:00', '120'), '2026-02-28T10:00:00+08:00');
  assert.equal(cli('add', 'cn-workday', '2025-09-30T17:00', '120'), '2025-10-09T10:00:00+08:00');
  assert.equal(cli('add', '7x24', '2026-02-17T23:30:00Z', '60'), '2026-02-18T08:30:00+08:00');
  assert.equal(cli('between', 'cn-workday', '2026-02-13T09:00', '2026-02-28T18:00'), '3780');
  assert.equal(cli('add', 'cn-workday', '2026-02-17T10:00', '0'), '2026-02-17T10:00:00+08:00');
  const show = cli('show', 'cn-workday', '2026');
  assert.match(show, /^2026-02-14  workday  春节  09:00-18:00$/m);
  assert.match(show, /^2026-02-28  workday  春节  09:00-18:00$/m);
  assert.match(show, /^2026-10-01  off      国庆节$/m);
  assert.match(cli('list'), /cn-workday\s+Asia\/Shanghai\s+2024 2025 2026 2027/);
  assert.throws(() => srv.cli(['calendar', 'add', 'cn-workday', '2026-02-13T17:00', '-5']),
    (e) => e.status === 1 && /minutes must not be negative/.test(e.stderr));
  assert.throws(() => srv.cli(['calendar', 'add', 'cn-workday', '2300-01-01T00:00', '5']),
    (e) => e.status === 1 && /between 1970 and 2200/.test(e.stderr));
  assert.throws(() => srv.cli(['calendar', 'add', 'cn-workday', 'yesterday', '5']),
    (e) => e.status === 1 && /INSTANT is not an ISO 8601 time/.test(e.stderr));
  assert.throws(() => srv.cli(['calendar', 'between', 'nope', '2026-01-01', '2026-01-02']),
    (e) => e.status === 1 && /no calendar nope/.test(e.stderr));
  assert.throws(() => srv.cli(['calendar', 'add', 'cn-workday']), (e) => e.status === 2);
  // a bad file through the CLI names the line and writes nothing
  const before = srv.snapshot();
  assert.throws(() => srv.cli(['calendar', 'import', '/dev/null']),
    (e) => e.status === 1 && /the file is empty/.test(e.stderr));
  assert.equal(srv.snapshot(), before);
  const out = cli('import', DATA + '2025.ics', '--calendar', 'cn-workday');
  assert.match(out, /imported 33 days into cn-workday: 28 off, 5 make-up workdays \(2025\)/);
});
