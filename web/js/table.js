// The ticket table used by the home page, the list and the portal. On a
// phone the rows become cards (CSS), each cell labelled by data-label.
import { h } from './dom.js';
import { t, fmtTime } from './i18n.js';
import { refName, statusBadge, priorityBadge, typeText, faultText } from './model.js';
import { slaBadges } from './sla.js';

// Columns as a table: key, header, cell builder, shown for customers?
const columns = [
  { key: 'number', head: 'col.number', cust: true, cell: (x) => h('a', { href: '/tickets/' + x.id, class: 'num' }, x.number || '#' + x.id) },
  { key: 'title', head: 'col.title', cust: true, cell: (x) => h('a', { href: '/tickets/' + x.id, class: 'title' }, x.title || '') },
  { key: 'status', head: 'col.status', cust: true, cell: (x) => statusBadge(x.status) },
  { key: 'priority', head: 'col.priority', cust: true, cell: (x) => priorityBadge(x.priority) },
  { key: 'type', head: 'col.type', cust: true, cell: (x) => typeText(x.type) },
  { key: 'fault_level', head: 'col.fault_level', cust: false, cell: (x) => faultText(x.fault_level) },
  { key: 'group', head: 'col.group', cust: false, cell: (x) => refName(x, 'group') },
  { key: 'assignee', head: 'col.assignee', cust: true, cell: (x) => refName(x, 'assignee') },
  { key: 'organization', head: 'col.organization', cust: false, cell: (x) => refName(x, 'organization') },
  { key: 'sla', head: 'col.sla', cust: false, cell: (x, o) => slaBadges(x, true, { staff: !o.customer }) },
  { key: 'updated_at', head: 'col.updated', cust: true, cell: (x) => h('time', { datetime: x.updated_at || '' }, fmtTime(x.updated_at, true)) },
];

// Builds the table for items. opts.customer hides staff-only columns,
// opts.cols limits to the named columns, opts.sla drops the SLA column
// when no row has SLA data.
export function ticketTable(items, opts = {}) {
  const anySla = items.some((x) => Array.isArray(x.sla) && x.sla.length);
  const cols = columns.filter((c) => (!opts.customer || c.cust) && (!opts.cols || opts.cols.includes(c.key)) &&
    (c.key !== 'sla' || anySla));
  const heads = cols.map((c) => t(c.head));
  const thead = h('thead', null, h('tr', null, cols.map((c, i) => h('th', { scope: 'col', class: 'c-' + c.key }, heads[i]))));
  const tbody = h('tbody');
  const frag = document.createDocumentFragment();
  for (const x of items) {
    const tr = h('tr', { dataset: { id: x.id } });
    cols.forEach((c, i) => tr.appendChild(h('td', { class: 'c-' + c.key, dataset: { label: heads[i] } }, c.cell(x, opts))));
    frag.appendChild(tr);
  }
  tbody.appendChild(frag);
  return h('table', { class: 'tickets' + (opts.customer ? ' cust' : '') }, opts.caption ? h('caption', null, opts.caption) : null, thead, tbody);
}

export function emptyRow(text) {
  return h('p', { class: 'empty' }, text);
}
