// Agent home: my open tickets, my groups' unassigned tickets, counts of
// open tickets by status and priority, and the tickets whose SLA is in
// warning or breached (the server's sla_state filter).
import { h, put, clear } from '../dom.js';
import { api, qs, listAll } from '../api.js';
import { t } from '../i18n.js';
import { OPEN_STATUSES, PRIORITIES, priorityText, statusText, refId } from '../model.js';
import { ticketTable, emptyRow } from '../table.js';

function section(id, title, extraHead) {
  const body = h('div', { class: 'sec-body' }, h('p', { class: 'loading' }, t('app.loading')));
  const sec = h('section', { class: 'card', id, 'aria-labelledby': id + '-h' },
    h('div', { class: 'sec-head' }, h('h2', { id: id + '-h' }, title), extraHead || null), body);
  return { sec, body };
}

function fill(body, node) { put(clear(body), node); }

export async function render(ctx) {
  const { main, me } = ctx;
  put(main, h('h1', null, t('home.title', { name: me.display_name || me.login })));
  const grid = h('div', { class: 'home-grid' });
  const mine = section('home-mine', t('home.mine'), h('a', { href: '/tickets?assignee=me&status=' + ['assigned', 'in_progress', 'pending', 'reopened'].join(',') }, t('home.all')));
  const unassigned = section('home-unassigned', t('home.unassigned'));
  const counts = section('home-counts', t('home.counts'));
  const sla = section('home-sla', t('home.sla'));
  put(grid, mine.sec, unassigned.sec, sla.sec, counts.sec);
  put(main, grid);

  const jobs = [
    api('GET', '/tickets' + qs({ assignee: 'me', status: ['assigned', 'in_progress', 'pending', 'reopened'], sort: '-updated', limit: 20 }))
      .then((r) => fill(mine.body, r.items.length ? ticketTable(r.items, { cols: ['number', 'title', 'status', 'priority', 'sla', 'updated_at'] }) : emptyRow(t('home.mine_empty'))))
      .catch((e) => fill(mine.body, emptyRow(t('err.load', { msg: e.message })))),
    api('GET', '/tickets' + qs({ group: 'mine', status: ['new', 'approved', 'reopened'], sort: '-created', limit: 50 }))
      .then((r) => {
        const items = r.items.filter((x) => !refId(x, 'assignee'));
        fill(unassigned.body, items.length ? ticketTable(items, { cols: ['number', 'title', 'status', 'priority', 'group', 'sla'] }) : emptyRow(t('home.unassigned_empty')));
      })
      .catch((e) => fill(unassigned.body, emptyRow(t('err.load', { msg: e.message })))),
  ];

  // Counts over the open tickets (paged through, up to 2000).
  const open = listAll('/tickets' + qs({ status: OPEN_STATUSES, sort: '-created' }), 2000);
  jobs.push(open.then(({ items, truncated }) => {
    const by = new Map();
    for (const x of items) {
      const k = x.status + '|' + priorityText(x.priority);
      by.set(k, (by.get(k) || 0) + 1);
    }
    const table = h('table', { class: 'counts' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('col.status')), PRIORITIES.map((p) => h('th', { scope: 'col' }, p)), h('th', { scope: 'col' }, t('home.total')))),
      h('tbody', null, OPEN_STATUSES.map((s) => {
        const row = PRIORITIES.map((p) => by.get(s + '|' + p) || 0);
        const total = row.reduce((a, b) => a + b, 0);
        return h('tr', null, h('th', { scope: 'row' }, h('a', { href: '/tickets?status=' + s }, statusText(s))),
          row.map((n, i) => h('td', { dataset: { label: PRIORITIES[i] } }, n ? h('a', { href: '/tickets?' + new URLSearchParams({ status: s, priority: PRIORITIES[i] }) }, String(n)) : '0')),
          h('td', { class: 'total', dataset: { label: t('home.total') } }, String(total)));
      })));
    fill(counts.body, h('div', null, table, truncated ? h('p', { class: 'hint' }, t('home.truncated', { n: items.length })) : null));
    return items;
  }).catch((e) => { fill(counts.body, emptyRow(t('err.load', { msg: e.message }))); return []; }));

  // SLA at risk: the server's own filters — clocks in warning or breached,
  // and the running clocks due within the next two hours.
  const soon = new Date(Date.now() + 2 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const soonLink = h('a', { href: '/tickets' + qs({ breach_before: soon, sort: 'priority' }), id: 'home-sla-soon' }, t('home.sla_soon'));
  const riskLink = h('a', { href: '/tickets' + qs({ sla_state: 'warning,breached', status: OPEN_STATUSES, sort: 'priority' }) }, t('home.all'));
  put(sla.sec.querySelector('.sec-head'), h('span', { class: 'sec-links' }, soonLink, riskLink));
  jobs.push(api('GET', '/tickets' + qs({ sla_state: 'warning,breached', status: OPEN_STATUSES, sort: 'priority', limit: 50 }))
    .then((r) => fill(sla.body, r.items.length ? ticketTable(r.items, { cols: ['number', 'title', 'priority', 'assignee', 'sla'] }) : emptyRow(t('home.sla_empty'))))
    .catch((e) => fill(sla.body, emptyRow(t('err.load', { msg: e.message })))));

  await Promise.all(jobs);
}
