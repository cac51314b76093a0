// A ticket's history rows (GET /tickets/{id}/history) in people's words.
// The server records codes and short English notes ("fixed",
// "response 80%", "notified: 陈静, 赵敏", "response: 120 min -> 30 min",
// actor "system"); this turns every kind into the UI's language.
// historyText(row) -> { who, what, note }: plain strings, no DOM, so that
// tests run it in Node on every kind.
import { t, tOr, fmtTime, fmtMinutes } from './i18n.js';
import { statusText, faultText, priorityText } from './model.js';

// History rows the timeline shows as entries of their own.
export const ENTRY_FIELDS = new Set(['comment', 'note', 'worklog', 'attachment', 'internal_attachment', 'internal_note']);

const SLA_FIELDS = /^sla_(response|onsite|resolution)$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

const target = (g) => tOr('sla.target.' + g, g);
const names = (s) => String(s).split(/\s*,\s*/).filter(Boolean).join(t('hist.list_sep'));

// The value of field as a word: statuses, codes, levels, times.
export function histValue(field, v) {
  if (v === null || v === undefined || v === '') return '—';
  const s = String(v);
  if (ISO.test(s)) return fmtTime(s);
  if (field === 'status') return statusText(s);
  if (field === 'resolution_code') return tOr('res.' + s, s);
  if (field === 'channel') return tOr('channel.' + s, s);
  if (field === 'impact' || field === 'urgency') return tOr('level.' + s, s);
  if (field === 'fault_level') return faultText(Number(s) || s);
  if (field === 'priority') return priorityText(/^\d$/.test(s) ? Number(s) : s);
  if (SLA_FIELDS.test(field) || field === 'sla_clock') return tOr('sla.state.' + s, s);
  return s;
}

// "response 80%" / "response breached" (an escalation step).
function escalationText(v) {
  const m = /^(\w+) (\d+)%$/.exec(v || '');
  if (m) return t('hist.sla_warn', { target: target(m[1]), n: m[2] });
  const b = /^(\w+) breached$/.exec(v || '');
  if (b) return t('hist.sla_breach', { target: target(b[1]) });
  return v || '';
}

// "response: 120 min -> 30 min; onsite: dropped; resolution: 480 min"
function policyNote(note) {
  return note.split(/\s*;\s*/).map((part) => {
    let m = /^(\w+): (\d+) min -> (\d+) min$/.exec(part);
    if (m) return t('hist.target_changed', { target: target(m[1]), old: fmtMinutes(+m[2]), new: fmtMinutes(+m[3]) });
    m = /^(\w+): dropped$/.exec(part);
    if (m) return t('hist.target_dropped', { target: target(m[1]) });
    m = /^(\w+): (\d+) min$/.exec(part);
    if (m) return t('hist.target_set', { target: target(m[1]), n: fmtMinutes(+m[2]) });
    return part;
  }).join(t('hist.part_sep'));
}

// The English notes the SLA clocks write, in words.
const CLOCK_NOTES = {
  'arrived on site': 'hist.note.arrived',
  'the policy has no such target': 'hist.note.no_target',
  'restarted on reopen': 'hist.note.restarted',
  'the business calendar changed': 'hist.note.calendar',
  'nobody to notify': 'hist.nobody_notified',
  'nobody to call in': 'hist.coord_nobody',
};

function slaNote(note) {
  if (CLOCK_NOTES[note]) return t(CLOCK_NOTES[note]);
  const m = /^(\d+) of (\d+) working min$/.exec(note);
  if (m) return t('hist.sla_used', { used: fmtMinutes(+m[1]), target: fmtMinutes(+m[2]) });
  if (/^notified: /.test(note)) return t('hist.notified', { who: names(note.slice(10)) });
  if (tOr('status.' + note, null)) return t('hist.note.status', { s: statusText(note) });
  return note;
}

function changed(field, r) {
  return t('hist.changed', { field: tOr('field.' + field, field), old: histValue(field, r.old), new: histValue(field, r.new) });
}

// What one row says, by kind; the note is the user's own text (a
// transition note, a regrade reason) unless an SLA clock wrote it.
function whatOf(r) {
  const f = r.field;
  switch (f) {
    case 'created': return { what: t('hist.created') };
    case 'description': return { what: t('hist.description') };
    case 'resolution_notes': return { what: t('hist.resolution_notes'), note: r.new };
    case 'link': return { what: r.new ? t('hist.linked', { n: r.new }) : t('hist.unlinked', { n: r.old || '' }) };
    case 'status': return { what: r.old ? changed(f, r) : t('hist.status_set', { s: statusText(r.new) }) };
    case 'sla_escalation': return { what: escalationText(r.new), note: r.note && slaNote(r.note) };
    case 'coordination': return { what: t('hist.coordination'),
      note: r.note && (r.note === 'nobody to call in' ? t('hist.coord_nobody') : t('hist.coord_who', { who: names(r.note) })) };
    case 'sla_policy': return { what: changed(f, r), note: r.note && policyNote(r.note) };
    case 'sla_clock': return { what: t('hist.sla_clock', { target: target(r.note), old: histValue(f, r.old), new: histValue(f, r.new) }) };
    default:
      if (SLA_FIELDS.test(f)) return { what: changed(f, r), note: r.note && slaNote(r.note) };
      return { what: (r.old === undefined && r.new === undefined) ? tOr('field.' + f, f) : changed(f, r), note: r.note };
  }
}

export function actorName(r) {
  const a = r.actor;
  if (!a || (a.id === null && (!a.name || a.name === 'system'))) return t('hist.system');
  return a.display_name || a.name || (a.id ? '#' + a.id : t('hist.system'));
}

export function historyText(r) {
  const { what, note } = whatOf(r);
  return { who: actorName(r), what, note: note || '' };
}
