// Administration: users, groups, organisations, categories, the priority
// matrix, calendars; the SLA policies in slapolicies.js. One generic list +
// form driven by a table of resources; the API validates every form and
// its messages are shown at the field. Managers see everything read-only.
import { h, put, clear, field, select, showFieldError, showFieldErrors, checkForm, toast } from '../dom.js';
import { api, listAll, ApiError } from '../api.js';
import { t, tOr, fmtTime } from '../i18n.js';
import { go } from '../app.js';
import { ROLES, STAFF, PRIORITIES, priorityText, dropCache, categoryTree } from '../model.js';

// Option sources for selects, loaded per screen.
const sources = {
  organizations: async () => (await listAll('/organizations')).items.map((o) => ({ value: o.id, label: o.name })),
  groups: async () => (await listAll('/groups')).items.map((g) => ({ value: g.id, label: g.name })),
  staff: async () => (await listAll('/users')).items.filter((u) => STAFF.includes(u.role)).map((u) => ({ value: u.id, label: u.display_name || u.login })),
  leads: async () => (await listAll('/users')).items.filter((u) => ['admin', 'manager', 'supervisor'].includes(u.role)).map((u) => ({ value: u.id, label: u.display_name || u.login })),
  categories: async () => categoryTree((await listAll('/categories')).items, false).map((c) => ({ value: c.id, label: '\u3000'.repeat(c.depth) + c.name })),
  roles: async () => ROLES.map((r) => ({ value: r, label: t('role.' + r) })),
  levels: async () => [1, 2, 3].map((n) => ({ value: n, label: tOr('level.' + n, n) })),
};

// The name of record id among the options of source (a select's list),
// never "#id": an id the list lacks (a disabled user) shows as "—".
function nameIn(opts, source, id) {
  if (id === null || id === undefined || id === '') return '';
  const o = (opts[source] || []).find((x) => String(x.value) === String(id));
  return o ? o.label.replace(/^\u3000+/, '') : '—';
}
const namesIn = (opts, source, ids) => (ids || []).map((id) => nameIn(opts, source, id)).join(t('hist.list_sep'));
// An impact level as the UI words it (1 高 / 2 中 / 3 低); unset is blank.
const levelText = (n) => (n ? tOr('level.' + n, n) : '');

// The resources: path, list columns (key, cell(record, options)), form fields.
// field types: text, email, tel, password, textarea, select, multi, bool;
// hint: true shows the catalogue's ah.<tab>.<field> under the control.
const resources = {
  users: {
    path: '/users', cache: 'staff',
    cols: [['login', (x) => x.login], ['display_name', (x) => x.display_name], ['role', (x) => t('role.' + x.role)],
      ['organization_id', (x, o) => nameIn(o, 'organizations', x.organization_id)],
      ['group_ids', (x, o) => namesIn(o, 'groups', x.group_ids)],
      ['phone', (x) => x.phone || ''], ['disabled', (x) => (x.disabled ? t('app.yes') : '')]],
    fields: [
      { name: 'login', type: 'text', create: true, edit: false, required: true, max: 64 },
      { name: 'display_name', type: 'text', required: true, max: 100 },
      { name: 'email', type: 'email', max: 254 }, { name: 'phone', type: 'tel', max: 32 },
      { name: 'role', type: 'select', source: 'roles', required: true },
      { name: 'organization_id', type: 'select', source: 'organizations', empty: true },
      { name: 'group_ids', type: 'multi', source: 'groups' },
      { name: 'password', type: 'password', create: true, edit: false, required: true },
      { name: 'disabled', type: 'bool', create: false },
    ],
  },
  groups: {
    path: '/groups', cache: 'groups',
    cols: [['name', (x) => [x.name, x.desk ? [' ', h('span', { class: 'badge desk-mark' }, t('admin.desk_mark'))] : null]], ['supervisor_id', (x, o) => x.supervisor_name || nameIn(o, 'staff', x.supervisor_id)],
      ['member_ids', (x, o) => namesIn(o, 'staff', x.member_ids)]],
    fields: [
      { name: 'name', type: 'text', required: true, max: 100 }, { name: 'description', type: 'textarea', max: 2000 },
      { name: 'supervisor_id', type: 'select', source: 'leads', empty: true },
      { name: 'member_ids', type: 'multi', source: 'staff' },
      { name: 'desk', type: 'bool', hint: true },
    ],
  },
  organizations: {
    path: '/organizations', cache: 'orgs',
    cols: [['name', (x) => x.name], ['code', (x) => x.code || ''], ['phone', (x) => x.phone || ''],
      ['default_group_id', (x, o) => nameIn(o, 'groups', x.default_group_id)], ['default_impact', (x) => levelText(x.default_impact)], ['active', (x) => (x.active === false ? t('app.no') : t('app.yes'))]],
    fields: [
      { name: 'name', type: 'text', required: true, max: 200 }, { name: 'code', type: 'text', max: 32 }, { name: 'phone', type: 'tel', max: 32 },
      { name: 'email', type: 'email', max: 254 }, { name: 'address', type: 'text', max: 500 }, { name: 'note', type: 'textarea', max: 4000 },
      { name: 'default_group_id', type: 'select', source: 'groups', empty: true, hint: true },
      { name: 'default_impact', type: 'select', source: 'levels', empty: true, hint: true },
      { name: 'active', type: 'bool', create: false },
    ],
  },
  categories: {
    path: '/categories', cache: 'categories', tree: true,
    cols: [['path', (x) => x.path || x.name], ['default_group_id', (x, o) => x.default_group_name || nameIn(o, 'groups', x.default_group_id)],
      ['default_impact', (x) => levelText(x.default_impact)],
      ['requires_approval', (x) => (x.requires_approval ? t('app.yes') : '')], ['active', (x) => (x.active === false ? t('app.no') : t('app.yes'))]],
    fields: [
      { name: 'parent_id', type: 'select', source: 'categories', empty: true }, { name: 'name', type: 'text', required: true, max: 100 },
      { name: 'default_group_id', type: 'select', source: 'groups', empty: true },
      { name: 'default_impact', type: 'select', source: 'levels', empty: true, hint: true },
      { name: 'requires_approval', type: 'bool' }, { name: 'active', type: 'bool', create: false },
    ],
  },
};

const TABS = ['users', 'groups', 'organizations', 'categories', 'priority-matrix', 'calendars', 'sla-policies'];

export async function render(ctx) {
  const { main, me } = ctx;
  // supervisors read the SLA policies only
  const tabs = me.role === 'supervisor' ? ['sla-policies'] : TABS;
  const tab = tabs.includes(ctx.params[0]) ? ctx.params[0] : tabs[0];
  const canWrite = me.role === 'admin';
  put(main, h('h1', null, t('admin.title')),
    h('nav', { class: 'tabs', 'aria-label': t('admin.sections') }, tabs.map((x) =>
      h('a', { href: '/admin/' + x, 'aria-current': x === tab ? 'page' : null, id: 'tab-' + x }, t('admin.tab.' + x)))));
  const area = h('div', { id: 'admin-area' });
  put(main, area);
  if (tab === 'priority-matrix') return matrixScreen(area, canWrite);
  if (tab === 'calendars') return calendarsScreen(area, canWrite);
  if (tab === 'sla-policies') return (await import('./slapolicies.js')).render(area, ctx, canWrite);
  return resourceScreen(ctx, area, resources[tab], tab, canWrite);
}

async function resourceScreen(ctx, area, res, tab, canWrite) {
  const opts = {};
  const needed = [...new Set(res.fields.filter((f) => f.source).map((f) => f.source))];
  await Promise.all(needed.map(async (s) => { opts[s] = await sources[s]().catch(() => []); }));
  let { items } = await listAll(res.path, 5000);
  if (res.tree) {
    const order = new Map(categoryTree(items, false).map((c, i) => [c.id, i]));
    items = items.slice().sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  }
  if (!ctx.alive()) return;
  const editId = Number(ctx.query.get('edit')) || null;
  const creating = ctx.query.get('new') === '1';
  const formBox = h('div', { id: 'admin-form' });
  const table = h('table', { class: 'admin-table' },
    h('thead', null, h('tr', null, res.cols.map(([k]) => h('th', { scope: 'col' }, t('af.' + k))), h('th', { scope: 'col' }, h('span', { class: 'sr' }, t('app.actions'))))),
    h('tbody', null, items.map((x) => h('tr', { dataset: { id: x.id } },
      res.cols.map(([k, fn]) => h('td', { dataset: { label: t('af.' + k) } }, fn(x, opts))),
      h('td', null, h('a', { href: `/admin/${tab}?edit=${x.id}`, class: 'btn small' }, canWrite ? t('app.edit') : t('app.view')))))));
  put(area, 
    h('div', { class: 'page-head' }, h('h2', null, t('admin.tab.' + tab)),
      canWrite ? h('a', { href: `/admin/${tab}?new=1`, class: 'btn primary', id: 'admin-new' }, t('admin.new')) : null),
    formBox, h('div', { class: 'card scroll' }, table));
  if (creating && canWrite) put(formBox, recordForm(res, tab, null, opts, true));
  else if (editId) {
    const rec = items.find((x) => x.id === editId) || await api('GET', `${res.path}/${editId}`);
    put(formBox, recordForm(res, tab, rec, opts, canWrite));
  }
}

function control(f, value, opts) {
  const o = opts[f.source] || [];
  switch (f.type) {
    case 'textarea': { const c = h('textarea', { name: f.name, rows: '3' }); c.value = value ?? ''; return c; }
    case 'select': return select([...(f.empty ? [{ value: '', label: '—' }] : []), ...o.map((x) => ({ ...x, selected: String(x.value) === String(value ?? '') }))], { name: f.name });
    case 'multi': {
      const chosen = new Set((value || []).map(String));
      return h('div', { class: 'multi', role: 'group' }, o.map((x) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: f.name, value: x.value, checked: chosen.has(String(x.value)) }), x.label)));
    }
    case 'bool': return h('input', { type: 'checkbox', name: f.name, checked: !!value });
    default: return h('input', { type: f.type, name: f.name, value: value ?? '', autocomplete: f.type === 'password' ? 'new-password' : 'off' });
  }
}

function readValue(form, f) {
  if (f.type === 'multi') return Array.from(form.querySelectorAll(`input[name="${f.name}"]:checked`)).map((i) => Number(i.value));
  const el = form.elements[f.name];
  if (f.type === 'bool') return el.checked;
  if (f.type === 'select') return el.value === '' ? null : (/^\d+$/.test(el.value) ? Number(el.value) : el.value);
  return el.value === '' ? null : el.value;
}

function same(a, b) { return JSON.stringify(a ?? null) === JSON.stringify(b ?? null); }

function recordForm(res, tab, rec, opts, canWrite) {
  const isNew = !rec;
  const form = h('form', { class: 'card stack', id: 'record-form', novalidate: true });
  put(form, h('h3', null, isNew ? t('admin.new') : t('admin.edit', { name: rec.display_name || rec.name || rec.login || '#' + rec.id })));
  const shown = res.fields.filter((f) => (isNew ? f.create !== false : f.edit !== false));
  for (const f of shown) {
    const c = control(f, rec ? rec[f.name] : (f.type === 'bool' ? f.name === 'active' : null), opts);
    if (f.required && canWrite) c.setAttribute('required', '');
    if (f.max) c.setAttribute('maxlength', String(f.max));
    if (!canWrite) for (const el of [c, ...c.querySelectorAll('input,select,textarea')]) el.disabled = true;
    const hint = f.hint ? t(`ah.${tab}.${f.name}`) : null;
    if (f.type === 'multi') put(form, h('fieldset', { class: 'field', dataset: { field: f.name } }, h('legend', null, t('af.' + f.name)), c, h('p', { class: 'field-error' })));
    else if (f.type === 'bool') put(form, h('div', { class: 'field check-field', dataset: { field: f.name } }, h('label', { class: 'check' }, c, t('af.' + f.name)),
      hint ? h('p', { class: 'hint' }, hint) : null, h('p', { class: 'field-error' })));
    else put(form, field(t('af.' + f.name) + (f.required ? ' *' : ''), c, { name: f.name, hint }));
  }
  if (rec) put(form, h('p', { class: 'muted' }, t('admin.meta', { v: rec.version ?? '', at: fmtTime(rec.updated_at) })));
  put(form, h('p', { class: 'form-error', role: 'alert' }));
  put(form, h('div', { class: 'actions' }, canWrite ? h('button', { type: 'submit', class: 'primary' }, t('app.save')) : null,
    h('a', { href: '/admin/' + tab, class: 'btn' }, t(canWrite ? 'app.cancel' : 'app.close'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    // every problem the form can see, at once, before the server is asked
    const errs = checkForm(form, t);
    if (errs.length) { showFieldErrors(form, errs); return; }
    const body = {};
    for (const f of shown) {
      const v = readValue(form, f);
      if (isNew ? (v !== null && !(Array.isArray(v) && !v.length) && !(f.type === 'bool' && !v)) : !same(v, rec[f.name])) body[f.name] = v;
    }
    try {
      if (isNew) await api('POST', res.path, body);
      else if (Object.keys(body).length) await api('PATCH', `${res.path}/${rec.id}`, body, { ifMatch: rec.version });
      dropCache(res.cache);
      toast(t('ticket.saved'));
      go('/admin/' + tab, true);
    } catch (ex) {
      if (ex instanceof ApiError && ex.code === 'version_conflict') showFieldError(form, null, '');
      showFieldError(form, ex, ex.code === 'version_conflict' ? t('admin.stale') : t('err.generic', { msg: ex.message }));
    }
  });
  return form;
}

async function matrixScreen(area, canWrite) {
  const m = await api('GET', '/priority-matrix');
  const rows = m.matrix || [];
  const form = h('form', { class: 'card stack', id: 'matrix-form' });
  const table = h('table', { class: 'matrix' },
    h('caption', null, t('matrix.caption')),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('matrix.corner')), [1, 2, 3].map((u) => h('th', { scope: 'col' }, t('col.urgency') + ' ' + tOr('level.' + u, u))))),
    h('tbody', null, [1, 2, 3].map((i) => h('tr', null, h('th', { scope: 'row' }, t('col.impact') + ' ' + tOr('level.' + i, i)),
      [1, 2, 3].map((u) => {
        const cur = priorityText((rows[i - 1] || [])[u - 1]);
        const s = select(PRIORITIES.map((p) => ({ value: p.slice(1), label: p, selected: p === cur })),
          { name: `m${i}${u}`, 'aria-label': t('matrix.cell', { i: tOr('level.' + i, i), u: tOr('level.' + u, u) }), disabled: !canWrite });
        return h('td', null, s);
      })))));
  put(form, table, h('p', { class: 'form-error', role: 'alert' }), canWrite ? h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('app.save'))) : null);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const matrix = [1, 2, 3].map((i) => [1, 2, 3].map((u) => Number(form.elements[`m${i}${u}`].value)));
    try {
      await api('PUT', '/priority-matrix', { matrix });
      dropCache('matrix');
      toast(t('ticket.saved'));
    } catch (ex) { showFieldError(form, ex, t('err.generic', { msg: ex.message })); }
  });
  put(area, form);
}

// Calendars: the list with each one's weekly working windows, and per
// calendar the holidays and make-up workdays of a year, with import of a
// holiday-cn JSON or iCalendar file. Shown when the server has the API.
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
function windowsText(w) {
  if (!w || typeof w !== 'object') return '';
  return WEEKDAYS.filter((d) => Array.isArray(w[d]) && w[d].length)
    .map((d) => `${t('cal.wd.' + d)} ${w[d].map((x) => `${x.start}–${x.end}`).join(', ')}`).join('; ');
}

async function calendarsScreen(area, canWrite) {
  let list;
  try { list = await listAll('/calendars'); } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405)) { put(area, h('p', { class: 'empty' }, t('cal.unavailable'))); return; }
    throw e;
  }
  const box = h('div', { id: 'cal-days' });
  put(area, h('div', { class: 'card scroll' }, h('table', { class: 'admin-table', id: 'cal-table' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('af.name')), h('th', { scope: 'col' }, t('cal.zone')),
      h('th', { scope: 'col' }, t('cal.windows')), h('th', { scope: 'col' }, h('span', { class: 'sr' }, t('app.actions'))))),
    h('tbody', null, list.items.map((c) => h('tr', { dataset: { id: c.id } }, h('td', { dataset: { label: t('af.name') } }, c.name),
      h('td', { dataset: { label: t('cal.zone') } }, c.timezone || ''),
      h('td', { dataset: { label: t('cal.windows') } }, windowsText(c.windows)),
      h('td', null, h('button', { type: 'button', class: 'small', onclick: () => showDays(box, c, defaultYear(c), canWrite) }, t('cal.days')))))))), box);
}

function defaultYear(cal) {
  const now = new Date().getFullYear();
  const years = cal.years || [];
  return years.includes(now) || !years.length ? now : years[years.length - 1];
}

async function showDays(box, cal, year, canWrite) {
  clear(box);
  const years = [...new Set([...(cal.years || []), new Date().getFullYear(), year])].sort();
  const yearSel = select(years.map((y) => ({ value: y, label: String(y), selected: y === year })), { name: 'year' });
  yearSel.addEventListener('change', () => showDays(box, cal, Number(yearSel.value), canWrite));
  const r = await api('GET', `/calendars/${cal.id}/days?year=${year}`).catch((e) => ({ items: [], error: e.message }));
  const days = r.items || [];
  put(box, h('section', { class: 'card', id: 'cal-year' }, h('h3', null, t('cal.days_of', { name: cal.name, y: year })),
    field(t('cal.year'), yearSel, { name: 'year' }),
    r.error ? h('p', { class: 'form-error' }, r.error) : null,
    days.length ? h('table', { class: 'admin-table' }, h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('cal.date')),
      h('th', { scope: 'col' }, t('cal.kind')), h('th', { scope: 'col' }, t('af.name')))),
      h('tbody', null, days.map((d) => h('tr', { class: d.kind === 'off' ? 'off' : 'makeup' },
        h('td', { dataset: { label: t('cal.date') } }, d.date), h('td', { dataset: { label: t('cal.kind') } }, tOr('cal.kind.' + d.kind, d.kind)),
        h('td', { dataset: { label: t('af.name') } }, d.name || '')))))
      : h('p', { class: 'empty' }, t('cal.no_days')),
    canWrite ? importForm(cal, (res) => showDays(box, res.calendar || cal, res.first_year || year, canWrite)) : null));
}

function importForm(cal, after) {
  const file = h('input', { type: 'file', name: 'file', accept: '.json,.ics,application/json,text/calendar', required: true });
  const form = h('form', { class: 'stack', id: 'cal-import' }, field(t('cal.import_file'), file, { name: 'file' }),
    h('p', { class: 'form-error', role: 'alert' }), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('cal.import'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) { file.focus(); return; }
    const type = /\.ics$/i.test(f.name) ? 'text/calendar' : 'application/json';
    try {
      const res = await api('POST', `/calendars/${cal.id}/import`, f, { raw: true, contentType: type });
      toast(t('cal.imported', { n: res.imported ?? '' }));
      after(res || {});
    } catch (ex) { showFieldError(form, ex, t('err.generic', { msg: ex.message })); }
  });
  return form;
}
