// The ticket list: filters, sort and cursor paging, all in the URL (so a
// view is a link), and saved views per user. Saved views live on the
// server (/me/views), so they follow the user to another browser or phone;
// a view's query is this page's query string, which the server validates
// as the list's own parameters.
import { h, put, clear, field, select } from '../dom.js';
import { api, qs, ApiError } from '../api.js';
import { t, tOr } from '../i18n.js';
import { go } from '../app.js';
import { STATUSES, TYPES, PRIORITIES, statusText, typeText, faultText,
  loadGroups, loadStaff, loadOrgs } from '../model.js';
import { SLA_STATES } from '../sla.js';
import { ticketTable, emptyRow } from '../table.js';

const FILTERS = ['q', 'status', 'type', 'priority', 'fault_level', 'group', 'assignee', 'organization',
  'sla_state', 'breach_before', 'created_after', 'created_before', 'sort', 'cursor'];
const SORTS = ['-created', 'created', '-updated', 'updated', 'priority', '-priority'];

// yyyy-mm-dd in the user's zone -> ISO instant of that local midnight (+days).
function dayToIso(day, plusDays = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
  if (!m) return null;
  const d = new Date(+m[1], +m[2] - 1, +m[3] + plusDays);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// An ISO instant <-> the value of a datetime-local input (the user's zone).
function isoToLocal(iso) {
  const d = new Date(iso || '');
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
function localToIso(v) {
  const d = new Date(v || '');
  return Number.isNaN(d.getTime()) ? v : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function checkGroup(legend, name, values, chosen, label) {
  return h('fieldset', { class: 'checks', dataset: { field: name } }, h('legend', null, legend),
    values.map((v) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name, value: v, checked: chosen.includes(v) }), label(v))));
}

export async function render(ctx) {
  const { main, query } = ctx;
  const f = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || '']));
  const list = (v) => (v ? v.split(',').filter(Boolean) : []);

  // Saved views that do not load leave the list usable: views is null then.
  const [groups, staff, orgs, views] = await Promise.all([
    loadGroups().catch(() => []), loadStaff().catch(() => []), loadOrgs().catch(() => []),
    api('GET', '/me/views').then((r) => r.items || [], () => null)]);
  if (!ctx.alive()) return;

  const opt = (value, label, cur) => ({ value, label, selected: String(cur) === String(value) });
  const form = h('form', { class: 'filters card', id: 'filters', role: 'search' });
  const q = h('input', { type: 'search', name: 'q', value: f.q, placeholder: t('list.q_ph') });
  const type = select([opt('', t('list.any'), f.type), ...TYPES.map((x) => opt(x, typeText(x), f.type))], { name: 'type' });
  const fault = select([opt('', t('list.any'), f.fault_level), ...[1, 2, 3].map((x) => opt(x, faultText(x), f.fault_level))], { name: 'fault_level' });
  const group = select([opt('', t('list.any'), f.group), opt('mine', t('list.my_groups'), f.group), ...groups.map((g) => opt(g.id, g.name, f.group))], { name: 'group' });
  const assignee = select([opt('', t('list.any'), f.assignee), opt('me', t('list.me'), f.assignee), ...staff.map((u) => opt(u.id, u.display_name || u.login, f.assignee))], { name: 'assignee' });
  const org = select([opt('', t('list.any'), f.organization), ...orgs.map((o) => opt(o.id, o.name, f.organization))], { name: 'organization' });
  const sla = select([opt('', t('list.any'), f.sla_state), opt('warning,breached', t('list.sla_risk'), f.sla_state), ...SLA_STATES.map((s) => opt(s, tOr('sla.state.' + s, s), f.sla_state))], { name: 'sla_state' });
  const breach = h('input', { type: 'datetime-local', name: 'breach_before', value: isoToLocal(f.breach_before) });
  const after = h('input', { type: 'date', name: 'created_after', value: f.created_after });
  const before = h('input', { type: 'date', name: 'created_before', value: f.created_before });
  const sort = select(SORTS.map((s) => opt(s, t('sort.' + s), f.sort || '-created')), { name: 'sort' });
  const general = h('p', { class: 'form-error', role: 'alert' });
  // On a phone the filters beyond search fold away unless one is in use.
  const advanced = ['type', 'fault_level', 'group', 'assignee', 'organization', 'sla_state', 'breach_before', 'created_after', 'created_before', 'sort']
    .some((k) => f[k]) || window.matchMedia('(min-width: 800px)').matches;
  put(form, 
    field(t('list.q'), q, { name: 'q', class: 'wide' }),
    h('details', { class: 'more', open: !!(f.status || f.priority) },
      h('summary', null, t('list.status_priority')),
      checkGroup(t('col.status'), 'status', STATUSES, list(f.status), statusText),
      checkGroup(t('col.priority'), 'priority', PRIORITIES, list(f.priority), (p) => p)),
    h('details', { class: 'more adv', open: advanced }, h('summary', null, t('list.more_filters')),
      h('div', { class: 'adv-grid' },
        field(t('col.type'), type, { name: 'type' }),
        field(t('col.fault_level'), fault, { name: 'fault_level' }),
        field(t('col.group'), group, { name: 'group' }),
        field(t('col.assignee'), assignee, { name: 'assignee' }),
        field(t('col.organization'), org, { name: 'organization' }),
        field(t('list.sla_state'), sla, { name: 'sla_state' }),
        field(t('list.breach_before'), breach, { name: 'breach_before' }),
        field(t('list.created_after'), after, { name: 'created_after' }),
        field(t('list.created_before'), before, { name: 'created_before' }),
        field(t('list.sort'), sort, { name: 'sort' }))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('list.apply')),
      h('a', { href: '/tickets', class: 'btn' }, t('list.reset'))),
    general);

  const readForm = () => {
    const fd = new FormData(form);
    const out = {};
    for (const k of FILTERS) {
      if (k === 'cursor') continue;
      const all = fd.getAll(k).filter((v) => v !== '');
      if (all.length) out[k] = all.join(',');
    }
    if (out.sort === '-created') delete out.sort;
    if (out.breach_before) out.breach_before = localToIso(out.breach_before);
    return out;
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); go('/tickets' + qs(readForm())); });

  // Saved views (on the server, per user). The one whose query is the
  // page's own is preselected, so that rename and delete act on it.
  const here = qs(readFormFromUrl(f)).replace(/^\?/, '');
  const shown = views || [];
  const current = shown.find((v) => v.query === here);
  const viewSel = select([{ value: '', label: t('views.choose') },
    ...shown.map((v) => ({ value: String(v.id), label: v.name, selected: v === current }))], { name: 'view' });
  const chosen = () => shown.find((v) => String(v.id) === viewSel.value);
  const viewName = h('input', { type: 'text', name: 'view_name', maxlength: '60', placeholder: t('views.name_ph') });
  const saveBtn = h('button', { type: 'button' }, t('views.save'));
  const renameBtn = h('button', { type: 'button', disabled: !shown.length }, t('views.rename'));
  const delBtn = h('button', { type: 'button', disabled: !shown.length }, t('views.delete'));
  const viewErr = h('p', { class: 'form-error', role: 'alert' });
  // Runs one change of the views; fn returns the path to show next (default: this page again).
  const change = async (fn) => {
    viewErr.textContent = '';
    for (const b of [saveBtn, renameBtn, delBtn]) b.disabled = true;
    try {
      const path = await fn();
      if (ctx.alive()) go(path || location.pathname + location.search, true);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (!ctx.alive()) return;
      viewErr.textContent = e.status === 409 && e.field === 'name' ? t('views.name_taken') : e.message;
      saveBtn.disabled = false;
      renameBtn.disabled = delBtn.disabled = !shown.length;
    }
  };
  viewSel.addEventListener('change', () => { const v = chosen(); if (v) go('/tickets' + (v.query ? '?' + v.query : '')); });
  saveBtn.addEventListener('click', () => {
    const name = viewName.value.trim();
    if (!name) { viewName.focus(); return; }
    const query = qs(readForm()).replace(/^\?/, '');
    // saving under a name in use replaces that view's filters
    const same = shown.find((v) => v.name === name);
    change(async () => {
      if (same) await api('PATCH', '/me/views/' + same.id, { query }, { ifMatch: same.version });
      else await api('POST', '/me/views', { name, query });
      return '/tickets' + (query ? '?' + query : '');
    });
  });
  renameBtn.addEventListener('click', () => {
    const v = chosen();
    const name = viewName.value.trim();
    if (!v) { viewSel.focus(); return; }
    if (!name) { viewName.focus(); return; }
    change(async () => { await api('PATCH', '/me/views/' + v.id, { name }, { ifMatch: v.version }); });
  });
  delBtn.addEventListener('click', () => {
    const v = chosen();
    if (!v) { viewSel.focus(); return; }
    change(async () => { await api('DELETE', '/me/views/' + v.id); });
  });
  const viewsBox = h('div', { class: 'views', id: 'views' },
    field(t('views.label'), viewSel, { name: 'view' }), renameBtn, delBtn,
    field(t('views.name'), viewName, { name: 'view_name' }), saveBtn,
    h('p', { class: 'hint' }, views ? t('views.hint') : t('views.unavailable')), viewErr);

  const results = h('div', { class: 'results card', id: 'results', 'aria-live': 'polite' }, h('p', { class: 'loading' }, t('app.loading')));
  put(main, h('div', { class: 'page-head' }, h('h1', null, t('list.title')), h('a', { href: '/tickets/new', class: 'btn primary' }, t('nav.new'))),
    form, viewsBox, results);

  // The API call: the URL's filters, dates turned into instants.
  const params = {};
  for (const k of FILTERS) if (f[k]) params[k] = f[k];
  if (f.created_after) params.created_after = dayToIso(f.created_after);
  if (f.created_before) params.created_before = dayToIso(f.created_before, 1);
  params.limit = 50;
  let page;
  try {
    page = await api('GET', '/tickets' + qs(params));
  } catch (e) {
    if (!ctx.alive()) return;
    clear(results);
    if (e instanceof ApiError && e.status === 400) {
      const wrap = e.field && form.querySelector(`[data-field="${CSS.escape(e.field)}"]`);
      if (wrap) { wrap.classList.add('invalid'); const p = wrap.querySelector('.field-error'); if (p) p.textContent = e.message; else general.textContent = e.message; } else general.textContent = e.message;
      put(results, emptyRow(t('list.bad_filter')));
      return;
    }
    throw e;
  }
  if (!ctx.alive()) return;

  // Render time after the data arrived, for the performance budget.
  performance.mark('yw-list-data');
  clear(results);
  const items = page.items || [];
  put(results, h('p', { class: 'muted count' }, t('list.shown', { n: items.length })));
  put(results, items.length ? ticketTable(items) : emptyRow(t('list.empty')));
  const pager = h('nav', { class: 'pager', 'aria-label': t('list.paging') });
  if (f.cursor) put(pager, h('a', { href: '/tickets' + qs({ ...readFormFromUrl(f), cursor: '' }), class: 'btn' }, t('list.first')));
  if (page.next_cursor) put(pager, h('a', { href: '/tickets' + qs({ ...readFormFromUrl(f), cursor: page.next_cursor }), class: 'btn', id: 'next-page', rel: 'next' }, t('list.next')));
  put(results, pager);
  void results.offsetHeight; // layout included in the measure
  performance.mark('yw-list-rendered');
  performance.measure('yw-list-render', 'yw-list-data', 'yw-list-rendered');
  results.dataset.rendered = String(items.length);
}

function readFormFromUrl(f) {
  const out = {};
  for (const k of FILTERS) if (k !== 'cursor' && f[k]) out[k] = f[k];
  return out;
}
