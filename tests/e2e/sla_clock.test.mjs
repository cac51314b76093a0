// The badges' countdown between server answers (web/js/sla.js), run in
// Node on the calendars a real server sends: it counts only working time
// (windows, Spring Festival holidays, the make-up Saturday), stops at a
// pause, turns to warning at the policy's threshold and to breached at
// zero. Synthetic instants: no waiting, no timing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../api/lib.mjs';
import { makeCalendar, Clock } from '../../web/js/sla.js';

let srv, tok, cn, c24;
before(async () => {
  srv = await startServer({ demo: true });
  tok = srv.token('admin');
  const get = async (p) => (await srv.get('/api/v1' + p, { token: tok })).json;
  const cals = (await get('/calendars')).items;
  const load = async (name) => {
    const c = cals.find((x) => x.name === name);
    const days = (await get(`/calendars/${c.id}/days?year=2026`)).items;
    return makeCalendar(c, days);
  };
  cn = await load('cn-workday');
  c24 = await load('7x24');
});
after(async () => { await srv.stop(); srv.cleanup(); });

const at = (iso) => Date.parse(iso);

test('working time of the shipped calendars, in their own zone', () => {
  assert.equal(cn.working(at('2026-03-02T10:00:00+08:00')), true, 'a Monday morning');
  assert.equal(cn.working(at('2026-03-02T08:59:59+08:00')), false, 'before the window');
  assert.equal(cn.working(at('2026-03-02T18:00:00+08:00')), false, 'the window ends at 18:00');
  assert.equal(cn.working(at('2026-03-07T10:00:00+08:00')), false, 'a Saturday');
  assert.equal(cn.working(at('2026-02-14T10:00:00+08:00')), true, 'the Spring Festival make-up Saturday');
  assert.equal(cn.working(at('2026-02-17T10:00:00+08:00')), false, 'Spring Festival');
  assert.equal(cn.working(at('2026-03-02T02:00:00Z')), true, 'an instant is read in the calendar zone, not the machine\'s');
  assert.equal(c24.working(at('2026-02-17T03:00:00+08:00')), true);
});

test('a countdown consumes only working time, warns at the threshold and breaches at zero', () => {
  // Friday 17:50 in Shanghai, 30 working minutes left of 60, warning at 60 %
  const t0 = at('2026-03-06T17:50:00+08:00');
  const c = new Clock({ target: 'resolution', state: 'running', remaining_minutes: 30, target_minutes: 60,
    due_at: '2026-03-09T09:20:00+08:00', paused: false, stopped_at: null }, t0);
  assert.equal(c.exact, false, 'a weekend lies between now and the due time');
  c.cal = cn;
  c.warn = 60;
  c.tick(t0 + 5 * 60000);
  assert.equal(c.left, 25 * 60);
  assert.equal(c.state, 'running');
  c.tick(t0 + 9 * 60000);
  assert.equal(c.left, 21 * 60);
  assert.equal(c.state, 'warning', '39 of 60 minutes used: past 60 %');
  // over the weekend nothing is consumed
  c.tick(at('2026-03-09T09:00:00+08:00'));
  assert.equal(c.left, 20 * 60);
  c.tick(at('2026-03-09T09:20:00+08:00'));
  assert.equal(c.left, 0);
  assert.equal(c.state, 'breached');
});

test('a clock that runs without a break counts to the second; paused and stopped ones stand still', () => {
  const t0 = at('2026-03-02T10:00:00+08:00');
  const run = new Clock({ target: 'response', state: 'running', remaining_minutes: 14, target_minutes: 15,
    due_at: '2026-03-02T10:14:30+08:00', paused: false, stopped_at: null }, t0);
  assert.equal(run.exact, true);
  assert.equal(run.left, 14 * 60 + 30);
  run.tick(t0 + 30000);
  assert.equal(run.left, 14 * 60);
  const paused = new Clock({ target: 'resolution', state: 'paused', remaining_minutes: 100, target_minutes: 240,
    due_at: null, paused: true, stopped_at: null }, t0);
  paused.cal = c24;
  paused.tick(t0 + 3600000);
  assert.equal(paused.left, 100 * 60);
  assert.equal(paused.state, 'paused');
  const met = new Clock({ target: 'response', state: 'met', remaining_minutes: 5, target_minutes: 15,
    due_at: null, paused: false, stopped_at: '2026-03-02T02:10:00Z' }, t0);
  met.cal = c24;
  met.tick(t0 + 3600000);
  assert.equal(met.state, 'met');
  assert.equal(met.left, 5 * 60);
});
