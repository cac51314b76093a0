// SLA badges with live countdowns in working time.
//
// The server sends each ticket's clocks as "sla": [{target, state,
// remaining_minutes, due_at, target_minutes, policy_id, paused,
// started_at, stopped_at}] (domain/sla/sla.h, sla_ticket_json), computed at the
// moment it answered. Between answers a running clock only consumes time
// while its business calendar is in a working window, so the badge ticks
// down only then: the calendar (weekly windows, holidays, make-up
// workdays, in the calendar's zone) and the policy's first warning
// threshold are read once per page load. Without them (customers may not
// read calendars) a badge ticks only where the clock runs without a break
// until its due time, and otherwise waits for the next server answer.
import { h, put, clear } from './dom.js';
import { t, tOr, fmtTime } from './i18n.js';
import { api } from './api.js';
import { cached } from './model.js';

export const SLA_STATES = ['running', 'paused', 'warning', 'breached', 'met'];
export const SLA_TARGETS = ['response', 'onsite', 'resolution'];
const WD = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

// ---- calendars: is an instant working time? ----

const hm = (s) => { const m = /^(\d\d):(\d\d)$/.exec(s || ''); return m ? +m[1] * 60 + +m[2] : null; };
const toMinutes = (ws) => (Array.isArray(ws) ? ws.map((w) => [hm(w.start), hm(w.end)]).filter(([a, b]) => a !== null && b !== null) : []);

// A calendar as the API sends it, plus its special days of the years asked.
export function makeCalendar(cal, days) {
  const week = {};
  for (const d of WD) week[d] = toMinutes(cal.windows && cal.windows[d]);
  // a make-up workday without windows of its own works Monday's windows,
  // or the first weekday's that has any (cal.h)
  const dflt = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => week[d]).find((w) => w.length) || [];
  const special = new Map();
  for (const d of days || []) special.set(d.date, d.kind === 'off' ? [] : (d.windows ? toMinutes(d.windows) : dflt));
  let fmt;
  try {
    fmt = new Intl.DateTimeFormat('en-GB', { timeZone: cal.timezone || 'Asia/Shanghai', year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short', hourCycle: 'h23' });
  } catch { return null; }
  return {
    id: cal.id,
    working(ms) {
      const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
      const date = `${p.year}-${p.month}-${p.day}`;
      const wins = special.has(date) ? special.get(date) : week[String(p.weekday).slice(0, 3).toLowerCase()] || [];
      const m = +p.hour * 60 + +p.minute + +p.second / 60;
      return wins.some(([a, b]) => m >= a && m < b);
    },
  };
}

function loadCalendar(id) {
  return cached('slacal:' + id, async () => {
    const cal = await api('GET', '/calendars/' + id, null, { noRedirect: true });
    const y = new Date().getFullYear();
    const years = [y, y + 1].filter((x) => (cal.years || []).includes(x));
    const days = (await Promise.all(years.map((x) => api('GET', `/calendars/${id}/days?year=${x}`, null, { noRedirect: true }))))
      .flatMap((r) => r.items || []);
    return makeCalendar(cal, days);
  }).catch(() => null);
}

// The policies, read once per page load (staff only).
export const loadPolicies = () => cached('slapol', () => api('GET', '/sla/policies', null, { noRedirect: true }));

// The first warning threshold (percent) of each policy's targets.
function loadWarnings() {
  return cached('slawarn', async () => {
    const r = await loadPolicies();
    const out = new Map();
    for (const p of r.items || [])
      for (const tg of SLA_TARGETS) {
        const d = p.targets && p.targets[tg];
        if (d && d.thresholds && d.thresholds.length) out.set(p.id + ':' + tg, d.thresholds[0]);
      }
    return out;
  }).catch(() => new Map());
}

// ---- one clock, ticking ----

const open = (s) => !s.stopped_at && (s.state === 'running' || s.state === 'warning' || s.state === 'breached' || s.state === 'paused');

export class Clock {
  constructor(s, now = Date.now()) {
    this.s = s;
    this.state = s.state || 'running';
    this.at = now;
    this.exact = false;
    this.left = (typeof s.remaining_minutes === 'number' ? s.remaining_minutes : 0) * 60;
    const due = s.due_at ? Date.parse(s.due_at) : NaN;
    // running without a break until due: the due instant is exact to the second
    if (!s.paused && !s.stopped_at && Number.isFinite(due)) {
      const wall = (due - this.at) / 1000;
      if (wall >= this.left && wall < this.left + 60) { this.left = wall; this.exact = true; }
    }
    this.cal = null;
    this.warn = null;
  }
  get running() { return !this.s.paused && !this.s.stopped_at && open(this.s); }
  // Advances to now; returns true when the state changed.
  tick(now) {
    const from = this.at;
    this.at = now;
    if (!this.running) return false;
    if (this.exact) this.left -= (now - from) / 1000;
    else if (this.cal) {
      // the working time between from and now, by the second (by the
      // minute over a long gap, e.g. after the computer slept)
      const step = now - from > 600000 ? 60 : 1;
      for (let x = Math.ceil(from / 1000) * 1000; x < now; x += step * 1000) if (this.cal.working(x)) this.left -= step;
    } else return false;
    const before = this.state;
    const total = (this.s.target_minutes || 0) * 60;
    if (this.left <= 0) this.state = 'breached';
    else if (this.warn && total && (total - this.left) >= total * this.warn / 100) this.state = 'warning';
    return this.state !== before;
  }
}

// ---- formatting ----

// seconds -> "1小时5分钟" / "4分12秒" (seconds only when the count is exact)
export function fmtLeft(sec, exact) {
  const s = Math.abs(sec);
  if (s < 3600 && exact) {
    const m = Math.floor(s / 60), r = Math.floor(s % 60);
    return (m ? t('unit.minutes', { n: m }) + t('unit.sep') : '') + t('unit.seconds', { n: r });
  }
  const m = Math.floor(s / 60);
  const d = Math.floor(m / 1440), hh = Math.floor((m % 1440) / 60), mm = m % 60;
  const parts = [];
  if (d) parts.push(t('unit.days', { n: d }));
  if (hh) parts.push(t('unit.hours', { n: hh }));
  if (mm || !parts.length) parts.push(t('unit.minutes', { n: mm }));
  return parts.join(t('unit.sep'));
}

function label(c, compact) {
  const s = c.s;
  const target = tOr('sla.target.' + s.target, s.target);
  const stateWord = tOr('sla.state.' + c.state, c.state);
  let when;
  if (c.state === 'met') when = '';
  else if (c.left <= 0 || c.state === 'breached') when = t('sla.overdue', { t: fmtLeft(c.left, c.exact) });
  else when = t('sla.left', { t: fmtLeft(c.left, c.exact) });
  // compact: the colour tells running / warning / breached; words only
  // where the time alone would not say it
  if (compact) return [target, c.state === 'met' || c.state === 'paused' || c.state === 'cancelled' ? stateWord : '', when].filter(Boolean).join(' ');
  if (c.state === 'breached') return `${target} · ${t('sla.breached_by', { t: fmtLeft(c.left, c.exact) })}`;
  return [target, stateWord, when].filter(Boolean).join(' · ');
}

function paint(el, c, compact) {
  el.className = 'badge sla sla-' + c.state + (c.running ? ' live' : '');
  el.dataset.slaState = c.state;
  el.textContent = label(c, compact);
}

// ---- badges, and one timer for all of them on the page ----

const live = new Set();
let timer = null;

function schedule() {
  if (timer || !live.size) return;
  timer = setInterval(() => {
    const now = Date.now();
    for (const b of live) {
      if (!b.el.isConnected) { live.delete(b); continue; }
      b.c.tick(now);
      paint(b.el, b.c, b.compact);
    }
    if (!live.size) { clearInterval(timer); timer = null; }
  }, 1000);
}

// The badges of a ticket's clocks; compact for table cells. opts.staff
// loads calendars and thresholds so that the countdown follows working time.
export function slaBadges(ticket, compact = false, opts = {}) {
  const sla = Array.isArray(ticket && ticket.sla) ? ticket.sla : [];
  return sla.map((s) => {
    const c = new Clock(s);
    const el = h('span', { dataset: { slaTarget: s.target },
      title: [tOr('sla.target.' + s.target, s.target) + ' · ' + tOr('sla.state.' + c.state, c.state),
        s.due_at && !s.stopped_at ? t('sla.due', { t: fmtTime(s.due_at) }) : null,
        s.stopped_at ? t('sla.stopped', { t: fmtTime(s.stopped_at) }) : null,
        s.target_minutes ? t('sla.target_of', { t: fmtLeft(s.target_minutes * 60, false) }) : null].filter(Boolean).join('\n') });
    paint(el, c, compact);
    if (c.running) {
      const b = { el, c, compact };
      live.add(b);
      schedule();
      if (opts.staff && !c.exact) {
        const cal = s.policy_id ? loadCalendarOf(s) : null;
        if (cal) cal.then((k) => { if (k) { c.at = Date.now(); c.cal = k; } });
      }
      if (opts.staff && s.policy_id) loadWarnings().then((w) => { c.warn = w.get(s.policy_id + ':' + s.target) || null; });
    }
    return el;
  });
}

// The calendar a clock runs in: its policy's target names it.
function loadCalendarOf(s) {
  return loadPolicies()
    .then((r) => {
      const p = (r.items || []).find((x) => x.id === s.policy_id);
      const d = p && p.targets && p.targets[s.target];
      return d ? loadCalendar(d.calendar_id) : null;
    }).catch(() => null);
}

// Redraws the badges inside el from fresh ticket data.
export function refreshBadges(el, ticket, compact = false, opts = {}) {
  for (const b of live) if (el.contains(b.el)) live.delete(b);
  put(clear(el), ...slaBadges(ticket, compact, opts));
}

export function hasSlaState(ticket, states) {
  return Array.isArray(ticket.sla) && ticket.sla.some((s) => states.includes(s.state));
}
