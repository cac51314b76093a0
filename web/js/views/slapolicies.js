// Administration of the SLA policies (/admin/sla-policies): the ordered
// list (the first policy that matches a ticket sets its targets), moving a
// policy up or down (PUT /sla/policies/order), and the form for a policy:
// match conditions, the response / onsite / resolution targets with their
// calendars, warning thresholds and the escalation step of each threshold
// and of the breach. Admins write; managers and supervisors read.
import { h, put, clear, field, select, showFieldError, showFieldErrors, checkForm, toast } from '../dom.js';
import { api, listAll, ApiError } from '../api.js';
import { t, tOr, fmtTime } from '../i18n.js';
import { go } from '../app.js';
import { TYPES, PRIORITIES, typeText, faultText, dropCache, categoryTree } from '../model.js';
import { SLA_TARGETS, fmtLeft } from '../sla.js';

const P = '/sla/policies';
const NOTIFY = ['assignee', 'supervisor', 'manager'];
const BREACH = 100;

export async function render(area, ctx, canWrite) {
  const [pol, cals, orgs, cats] = await Promise.all([
    api('GET', P), listAll('/calendars').then((r) => r.items),
    listAll('/organizations').then((r) => r.items).catch(() => []),
    listAll('/categories').then((r) => r.items).catch(() => [])]);
  if (!ctx.alive()) return;
  const look = {
    cal: new Map(cals.map((c) => [c.id, c.name])),
    org: new Map(orgs.map((o) => [o.id, o.name])),
    cat: new Map(cats.map((c) => [c.id, c.path || c.name])),
    cals, orgs, cats,
  };
  const items = pol.items || [];
  const editId = Number(ctx.query.get('edit')) || null;
  const creating = ctx.query.get('new') === '1' && canWrite;
  const formBox = h('div', { id: 'admin-form' });
  const tableBox = h('div', { class: 'card scroll' });
  put(area, 
    h('div', { class: 'page-head' }, h('h2', null, t('admin.tab.sla-policies')),
      canWrite ? h('a', { href: '/admin/sla-policies?new=1', class: 'btn primary', id: 'admin-new' }, t('admin.new')) : null),
    h('p', { class: 'hint' }, t('slap.order_hint')),
    formBox, tableBox);
  drawTable(tableBox, items, look, canWrite);
  if (creating) put(formBox, policyForm(null, look, true));
  else if (editId) {
    const rec = items.find((x) => x.id === editId) || await api('GET', `${P}/${editId}`);
    put(formBox, policyForm(rec, look, canWrite));
  }
}

function matchText(m, look) {
  const parts = [];
  if (m.type) parts.push(typeText(m.type));
  if (m.fault_level) parts.push(faultText(m.fault_level));
  if (m.priority) parts.push(m.priority);
  if (m.organization_id) parts.push(look.org.get(m.organization_id) || '—');
  if (m.category_id) parts.push(look.cat.get(m.category_id) || '—');
  return parts.length ? parts.join(' · ') : t('slap.any');
}

function targetsText(p, look) {
  return SLA_TARGETS.filter((g) => p.targets && p.targets[g]).map((g) => {
    const d = p.targets[g];
    return `${tOr('sla.target.' + g, g)} ${fmtLeft(d.minutes * 60, false)}（${look.cal.get(d.calendar_id) || '—'}）`;
  }).join('；');
}

function drawTable(box, items, look, canWrite) {
  const cols = ['position', 'name', 'match', 'targets', 'pause_on_pending'];
  const move = async (i, by) => {
    const ids = items.map((x) => x.id);
    const j = i + by;
    if (j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j], ids[i]];
    try {
      const r = await api('PUT', `${P}/order`, { ids });
      items.splice(0, items.length, ...(r.items || []));
      dropCache('slapol');
      drawTable(box, items, look, canWrite);
      toast(t('slap.reordered'));
      const again = box.querySelector(`tr[data-id="${ids[j]}"] button[data-move="${by < 0 ? 'up' : 'down'}"]:not([disabled])`) ||
        box.querySelector(`tr[data-id="${ids[j]}"] a`);
      if (again) again.focus();
    } catch (e) { toast(t('err.generic', { msg: e.message }), 'error'); }
  };
  const table = h('table', { class: 'admin-table', id: 'sla-policies' },
    h('thead', null, h('tr', null, cols.map((k) => h('th', { scope: 'col' }, t('slap.' + k))),
      h('th', { scope: 'col' }, h('span', { class: 'sr' }, t('app.actions'))))),
    h('tbody', null, items.map((x, i) => h('tr', { dataset: { id: x.id } },
      h('td', { dataset: { label: t('slap.position') } }, String(x.position)),
      h('td', { dataset: { label: t('slap.name') }, class: 'pol-name' }, x.name),
      h('td', { dataset: { label: t('slap.match') } }, matchText(x.match || {}, look)),
      h('td', { dataset: { label: t('slap.targets') } }, targetsText(x, look)),
      h('td', { dataset: { label: t('slap.pause_on_pending') } }, x.pause_on_pending ? t('app.yes') : t('app.no')),
      h('td', { class: 'row-actions' },
        canWrite ? h('button', { type: 'button', class: 'small', dataset: { move: 'up' }, disabled: i === 0,
          'aria-label': t('slap.up', { name: x.name }), onclick: () => move(i, -1) }, '↑') : null,
        canWrite ? h('button', { type: 'button', class: 'small', dataset: { move: 'down' }, disabled: i === items.length - 1,
          'aria-label': t('slap.down', { name: x.name }), onclick: () => move(i, 1) }, '↓') : null,
        h('a', { href: '/admin/sla-policies?edit=' + x.id, class: 'btn small' }, canWrite ? t('app.edit') : t('app.view')))))));
  put(clear(box), table);
}

// ---- the form ----

// "50, 80" -> [50, 80]; a part that is no integer is sent as typed, so
// that the API's message about it is the one shown.
function parseList(s) {
  return String(s || '').split(/[\s,，、]+/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

function targetBlock(g, d, look, canWrite) {
  const optional = g === 'onsite';
  const on = h('input', { type: 'checkbox', name: `${g}.on`, checked: !!d });
  const minutes = h('input', { type: 'number', name: `${g}.minutes`, min: '1', step: '1', inputmode: 'numeric', value: d ? d.minutes : '', required: true });
  const cal = select([{ value: '', label: t('app.choose') }, ...look.cals.map((c) => ({ value: c.id, label: c.name, selected: d && d.calendar_id === c.id }))],
    { name: `${g}.calendar_id`, required: true });
  const thr = h('input', { type: 'text', name: `${g}.thresholds`, value: d ? (d.thresholds || []).join(', ') : '', placeholder: '50, 80', inputmode: 'numeric' });
  const stepsBox = h('div', { class: 'steps' });
  const stepOf = new Map(((d && d.steps) || []).map((s) => [s.at, s]));
  // one row per threshold plus the breach; the checks survive a change of
  // the thresholds. Redrawn as the user types, and only when the set of
  // rows changes: a redraw on blur moved the Save button under a pressed
  // mouse, and the first click after editing a threshold was lost.
  let shown = '';
  const drawSteps = () => {
    const want = [...new Set([...parseList(thr.value).filter((x) => typeof x === 'number' && x > 0 && x < BREACH), BREACH])];
    if (want.join(',') === shown) return;
    shown = want.join(',');
    for (const row of stepsBox.querySelectorAll('[data-at]')) {
      const at = Number(row.dataset.at);
      stepOf.set(at, { at, notify: NOTIFY.filter((r) => row.querySelector(`input[data-notify="${r}"]`).checked),
        coordination: row.querySelector('input[data-coord]').checked });
    }
    put(clear(stepsBox), ...want.map((at) => {
      const s = stepOf.get(at) || { notify: [], coordination: false };
      const name = at === BREACH ? t('slap.at_breach') : t('slap.at_pct', { n: at });
      return h('fieldset', { class: 'step', dataset: { at } }, h('legend', null, name),
        NOTIFY.map((r) => h('label', { class: 'check' },
          h('input', { type: 'checkbox', dataset: { notify: r }, checked: (s.notify || []).includes(r), disabled: !canWrite }), t('sla.notify.' + r))),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', dataset: { coord: '1' }, checked: !!s.coordination, disabled: !canWrite }), t('slap.coordination')));
    }));
  };
  thr.addEventListener('input', drawSteps);
  drawSteps();
  const body = h('div', { class: 'target-body' },
    h('div', { class: 'row3' },
      field(t('slap.minutes'), minutes, { field: `targets.${g}.minutes` }),
      field(t('slap.calendar'), cal, { field: `targets.${g}.calendar_id` }),
      field(t('slap.thresholds'), thr, { field: `targets.${g}.thresholds`, hint: t('slap.thresholds_hint') })),
    h('div', { class: 'field', dataset: { field: `targets.${g}.steps` } }, h('span', { class: 'label' }, t('slap.steps')), stepsBox,
      h('p', { class: 'field-error', 'aria-live': 'polite' })));
  const sync = () => { body.hidden = !on.checked; };
  if (optional) { on.addEventListener('change', sync); sync(); }
  if (!canWrite) for (const el of [on, minutes, cal, thr]) el.disabled = true;
  const fs = h('fieldset', { class: 'card field target', id: 'target-' + g, dataset: { field: `targets.${g}` } },
    h('legend', null, tOr('sla.target.' + g, g)),
    optional ? h('label', { class: 'check' }, on, t('slap.onsite_on')) : null,
    h('p', { class: 'field-error', 'aria-live': 'polite' }), body);
  fs.read = () => {
    if (optional && !on.checked) return null;
    const out = { minutes: minutes.value === '' ? null : Number(minutes.value), calendar_id: cal.value === '' ? null : Number(cal.value),
      thresholds: parseList(thr.value) };
    out.steps = [...stepsBox.querySelectorAll('[data-at]')].map((row) => ({
      at: Number(row.dataset.at),
      notify: NOTIFY.filter((r) => row.querySelector(`input[data-notify="${r}"]`).checked),
      coordination: row.querySelector('input[data-coord]').checked,
    })).filter((s) => s.notify.length || s.coordination);
    return out;
  };
  return fs;
}

// The API names a target's fields by their last part ("minutes") and the
// target in the message ("targets.response.minutes must be ..."): find
// the form field it means.
function formField(err) {
  const f = err.field || '';
  const m = /targets\.(response|onsite|resolution)\b/.exec(err.message || '');
  if (m && ['minutes', 'calendar_id', 'thresholds'].includes(f)) return `targets.${m[1]}.${f}`;
  if (m && ['steps', 'at', 'notify', 'coordination'].includes(f)) return `targets.${m[1]}.steps`;
  if (SLA_TARGETS.includes(f)) return 'targets.' + f;
  if (f === 'targets' && m) return 'targets.' + m[1];
  return f;
}

function policyForm(rec, look, canWrite) {
  const isNew = !rec;
  const m = (rec && rec.match) || {};
  const form = h('form', { class: 'card stack', id: 'policy-form', novalidate: true });
  const opt = (value, label, cur) => ({ value, label, selected: String(cur ?? '') === String(value) });
  const name = h('input', { type: 'text', name: 'name', maxlength: '100', value: rec ? rec.name : '', required: true });
  const desc = h('textarea', { name: 'description', rows: '2' });
  desc.value = (rec && rec.description) || '';
  const type = select([opt('', t('slap.any'), m.type), ...TYPES.map((x) => opt(x, typeText(x), m.type))], { name: 'match.type' });
  const fault = select([opt('', t('slap.any'), m.fault_level), ...[1, 2, 3].map((x) => opt(x, faultText(x), m.fault_level))], { name: 'match.fault_level' });
  const prio = select([opt('', t('slap.any'), m.priority), ...PRIORITIES.map((x) => opt(x, x, m.priority))], { name: 'match.priority' });
  const org = select([opt('', t('slap.any'), m.organization_id), ...look.orgs.map((o) => opt(o.id, o.name, m.organization_id))], { name: 'match.organization_id' });
  const cat = select([opt('', t('slap.any'), m.category_id), ...categoryTree(look.cats, false).map((c) => opt(c.id, '\u3000'.repeat(c.depth) + c.name, m.category_id))], { name: 'match.category_id' });
  const pause = h('input', { type: 'checkbox', name: 'pause_on_pending', checked: rec ? rec.pause_on_pending : true });
  const blocks = SLA_TARGETS.map((g) => targetBlock(g, rec && rec.targets ? rec.targets[g] : null, look, canWrite));
  const controls = [name, desc, type, fault, prio, org, cat, pause];
  if (!canWrite) for (const c of controls) c.disabled = true;

  put(form, 
    h('h3', null, isNew ? t('slap.new') : t('admin.edit', { name: rec.name })),
    h('div', { class: 'row3' }, field(t('slap.name') + ' *', name, { name: 'name' }), field(t('af.description'), desc, { name: 'description', class: 'span2' })),
    h('fieldset', { class: 'card field match', dataset: { field: 'match' } }, h('legend', null, t('slap.match')),
      h('p', { class: 'field-error', 'aria-live': 'polite' }),
      h('p', { class: 'hint' }, t('slap.match_hint')),
      h('div', { class: 'row3' },
        field(t('col.type'), type, { field: 'match.type' }), field(t('col.fault_level'), fault, { field: 'match.fault_level' }),
        field(t('col.priority'), prio, { field: 'match.priority' }), field(t('col.organization'), org, { field: 'match.organization_id' }),
        field(t('col.category'), cat, { field: 'match.category_id' }))),
    h('div', { class: 'field check-field', dataset: { field: 'pause_on_pending' } }, h('label', { class: 'check' }, pause, t('slap.pause_on_pending_long')),
      h('p', { class: 'field-error' })),
    h('div', { class: 'field', dataset: { field: 'targets' } }, h('p', { class: 'field-error', 'aria-live': 'polite' })),
    ...blocks);
  if (rec) put(form, h('p', { class: 'muted' }, t('admin.meta', { v: rec.version ?? '', at: fmtTime(rec.updated_at) })));
  put(form, h('p', { class: 'form-error', role: 'alert' }));
  const del = canWrite && !isNew ? h('button', { type: 'button', class: 'danger', id: 'policy-delete' }, t('slap.delete')) : null;
  put(form, h('div', { class: 'actions' }, canWrite ? h('button', { type: 'submit', class: 'primary' }, t('app.save')) : null,
    h('a', { href: '/admin/sla-policies', class: 'btn' }, t(canWrite ? 'app.cancel' : 'app.close')), del));

  const fail = (ex) => {
    if (ex instanceof ApiError && ex.code === 'version_conflict') { showFieldError(form, null); $error(form, t('admin.stale')); return; }
    const mapped = ex instanceof ApiError ? Object.assign(new ApiError(ex.status, ex.body), { field: formField(ex) }) : ex;
    if (showFieldError(form, mapped, t('err.generic', { msg: ex.message }))) {
      const bad = form.querySelector('.field.invalid input, .field.invalid select, .field.invalid textarea, fieldset.invalid input');
      if (bad) bad.focus();
    }
  };
  if (del) {
    let armed = false;
    del.addEventListener('click', async () => {
      // two presses instead of a dialog: the first one asks
      if (!armed) { armed = true; del.textContent = t('slap.delete_confirm', { name: rec.name }); return; }
      try {
        await api('DELETE', `${P}/${rec.id}`);
        dropCache('slapol');
        toast(t('slap.deleted'));
        go('/admin/sla-policies', true);
      } catch (ex) { fail(ex); }
    });
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    // every empty required field at once, before the server is asked
    const errs = checkForm(form, t);
    if (errs.length) { showFieldErrors(form, errs); return; }
    const num = (v) => (v === '' ? null : Number(v));
    const body = {
      name: name.value.trim(),
      description: desc.value.trim() || null,
      match: { type: type.value || null, fault_level: num(fault.value), priority: prio.value || null,
        organization_id: num(org.value), category_id: num(cat.value) },
      pause_on_pending: pause.checked,
      targets: Object.fromEntries(SLA_TARGETS.map((g, i) => [g, blocks[i].read()])),
    };
    if (isNew && !body.targets.onsite) delete body.targets.onsite;
    try {
      if (isNew) await api('POST', P, body);
      else await api('PATCH', `${P}/${rec.id}`, body, { ifMatch: rec.version });
      dropCache('slapol');
      toast(t('ticket.saved'));
      go('/admin/sla-policies', true);
    } catch (ex) { fail(ex); }
  });
  return form;
}

function $error(form, text) {
  const g = form.querySelector('.form-error');
  if (g) g.textContent = text;
}
