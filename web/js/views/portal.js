// The customer portal: the organisation's tickets, and submitting a
// request or a fault report. The ticket page itself is shared with staff
// (it shows a customer only the public timeline).
import { h, put, clear } from '../dom.js';
import { api, qs } from '../api.js';
import { t } from '../i18n.js';
import { ticketTable, emptyRow } from '../table.js';
import { newTicketForm } from './new.js';

export async function render(ctx) {
  const { main } = ctx;
  if (ctx.sub === 'new') { put(main, await newTicketForm(ctx)); return; }
  const open = ctx.query.get('show') !== 'all';
  const body = h('div', { class: 'results card', id: 'results' }, h('p', { class: 'loading' }, t('app.loading')));
  put(main, 
    h('div', { class: 'page-head' }, h('h1', null, t('portal.title')),
      h('div', { class: 'actions' },
        h('a', { href: '/portal/new?type=request', class: 'btn primary', id: 'portal-request' }, t('portal.new_request')),
        h('a', { href: '/portal/new?type=incident', class: 'btn', id: 'portal-fault' }, t('portal.new_fault')))),
    h('p', { class: 'tabs' },
      h('a', { href: '/portal', 'aria-current': open ? 'page' : null }, t('portal.open')), ' · ',
      h('a', { href: '/portal?show=all', 'aria-current': open ? null : 'page' }, t('portal.all'))),
    body);
  const cursor = ctx.query.get('cursor');
  const page = await api('GET', '/tickets' + qs({
    status: open ? 'new,pending_approval,approved,assigned,in_progress,pending,reopened,resolved' : '',
    sort: '-updated', limit: 50, cursor }));
  if (!ctx.alive()) return;
  put(clear(body), page.items.length ? ticketTable(page.items, { customer: true }) : emptyRow(t('portal.empty')));
  if (page.next_cursor)
    put(body, h('nav', { class: 'pager' }, h('a', { class: 'btn', href: '/portal' + qs({ show: open ? '' : 'all', cursor: page.next_cursor }) }, t('list.next'))));
}
