// The application: boot, the shell (header, navigation, bell, language),
// and the router. Routes by URL with the history API; the server answers
// index.html for every path without a dot, so deep links work.
import { h, put, clear, $, toast } from './dom.js';
import { api, setCsrf, setUnauthorizedHandler, ApiError } from './api.js';
import { initI18n, t, setLang, currentLang, LANGS, fmtTime } from './i18n.js';
import { isStaff, STAFF } from './model.js';

const state = { me: null, cleanup: null, renderSeq: 0, notif: null };

// One table: path pattern -> view module and who may open it.
// A view module exports render(ctx) and may return a cleanup function.
const routes = [
  { re: /^\/login$/, mod: './views/login.js', public: true },
  { re: /^\/$/, mod: './views/home.js', roles: STAFF, customerGoes: '/portal' },
  { re: /^\/tickets$/, mod: './views/list.js', roles: STAFF, customerGoes: '/portal' },
  { re: /^\/tickets\/new$/, mod: './views/new.js', roles: STAFF, customerGoes: '/portal/new' },
  { re: /^\/tickets\/(\d+)$/, mod: './views/ticket.js' },
  { re: /^\/portal$/, mod: './views/portal.js', roles: ['customer'], staffGoes: '/' },
  { re: /^\/portal\/new$/, mod: './views/portal.js', roles: ['customer'], staffGoes: '/tickets/new', sub: 'new' },
  { re: /^\/admin\/(sla-policies)$/, mod: './views/admin.js', roles: ['admin', 'manager', 'supervisor'] },
  { re: /^\/admin(?:\/([a-z-]+))?$/, mod: './views/admin.js', roles: ['admin', 'manager'] },
];

// Navigation links per role, in order.
const nav = [
  { href: '/', key: 'nav.home', roles: STAFF },
  { href: '/tickets', key: 'nav.tickets', roles: STAFF },
  { href: '/tickets/new', key: 'nav.new', roles: STAFF },
  { href: '/portal', key: 'nav.portal', roles: ['customer'] },
  { href: '/portal/new', key: 'nav.portal_new', roles: ['customer'] },
  { href: '/admin', key: 'nav.admin', roles: ['admin', 'manager'] },
  { href: '/admin/sla-policies', key: 'nav.sla', roles: ['supervisor'] },
];

export function me() { return state.me; }

export function go(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function loginUrl() {
  const here = location.pathname + location.search;
  return here === '/' || here.startsWith('/login') ? '/login' : '/login?next=' + encodeURIComponent(here);
}

// A return-to target is only ever a path on this site.
export function safeNext(next) {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !next.startsWith('/login') ? next : null;
}

export function setMe(user, csrf) {
  state.me = user;
  if (csrf) setCsrf(csrf);
}

export async function logout() {
  try {
    await api('POST', '/auth/logout', null, { noRedirect: true });
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) { toast(t('err.generic', { msg: e.message }), 'error'); return; }
  }
  state.me = null;
  setCsrf(null);
  stopBell();
  go('/login');
}

function homeOf(user) { return user && user.role === 'customer' ? '/portal' : '/'; }

function renderShell() {
  const top = $('#top');
  clear(top);
  if (!state.me) { top.hidden = true; return; }
  top.hidden = false;
  const links = nav.filter((n) => n.roles.includes(state.me.role));
  const menuId = 'main-nav';
  const toggle = h('button', { type: 'button', class: 'nav-toggle', 'aria-controls': menuId, 'aria-expanded': 'false' }, t('nav.menu'));
  const ul = h('ul', { id: menuId, class: 'nav' },
    links.map((n) => h('li', null, h('a', { href: n.href, 'data-nav': n.href }, t(n.key)))));
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    ul.classList.toggle('open', open);
  });
  const langSel = h('select', { id: 'lang', 'aria-label': t('lang.label'), class: 'lang' },
    LANGS.map((l) => h('option', { value: l, selected: l === currentLang() }, t('lang.' + l))));
  langSel.addEventListener('change', () => { setLang(langSel.value); location.reload(); });
  const bellWrap = buildBell();
  // one text in the language's own form: 赵敏（运维经理）, 赵敏 (Manager)
  const user = h('span', { class: 'who', id: 'who' },
    t('app.who', { name: state.me.display_name || state.me.login, role: t('role.' + state.me.role) }));
  const out = h('button', { type: 'button', class: 'linkish', id: 'logout', onclick: logout }, t('nav.logout'));
  put(top, 
    h('a', { class: 'brand', href: homeOf(state.me) }, t('app.name')),
    toggle,
    h('nav', { 'aria-label': t('nav.label') }, ul),
    h('div', { class: 'top-right' }, bellWrap, user, langSel, out));
  markActive();
  startBell();
}

function markActive() {
  const p = location.pathname;
  for (const a of document.querySelectorAll('a[data-nav]')) {
    const href = a.getAttribute('data-nav');
    const active = href === '/' ? p === '/' : (p === href || (p.startsWith(href + '/') && !(href === '/tickets' && p === '/tickets/new')));
    if (active) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const ul = $('#main-nav');
  if (ul) ul.classList.remove('open');
  const tg = $('.nav-toggle');
  if (tg) tg.setAttribute('aria-expanded', 'false');
}

// The notifications bell: the unread count is polled (a cheap count);
// the list is fetched when the bell opens. Each message is shown in the
// UI's language, links to its ticket and is marked read when opened.
const bell = { open: false, unread: 0 };

function notifText(n) {
  const en = currentLang() === 'en';
  return { subject: (en ? n.subject_en : n.subject) || n.subject || n.kind || '', body: (en ? n.body_en : n.body) || '' };
}

function drawBellButton() {
  const wrap = $('#bell-wrap');
  if (!wrap) return;
  wrap.hidden = false;
  const btn = $('#bell');
  btn.setAttribute('aria-label', t('bell.label', { n: bell.unread }));
  btn.title = t('bell.label', { n: bell.unread });
  const count = $('#bell-count');
  count.textContent = bell.unread > 99 ? '99+' : String(bell.unread);
  count.hidden = !bell.unread;
}

async function pollBell() {
  if (!$('#bell-wrap') || !state.me) return;
  try {
    const r = await api('GET', '/notifications/unread-count', null, { noRedirect: true });
    const changed = r.unread !== bell.unread;
    bell.unread = r.unread;
    drawBellButton();
    if (changed && bell.open) await fillBell();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) { stopBell(); $('#bell-wrap').hidden = true; }
  }
}

async function fillBell() {
  const list = $('#bell-list');
  if (!list) return;
  let data;
  try {
    data = await api('GET', '/notifications?limit=20', null, { noRedirect: true });
  } catch (e) {
    put(clear(list), h('li', { class: 'muted' }, t('err.load', { msg: e.message })));
    return;
  }
  bell.unread = data.unread;
  drawBellButton();
  const items = data.items || [];
  put(clear(list), 
    h('li', { class: 'bell-head' }, h('strong', null, t('bell.title')),
      h('button', { type: 'button', class: 'linkish', id: 'bell-read-all', disabled: !bell.unread, onclick: readAll }, t('bell.read_all'))),
    ...(items.length ? items.map((n) => {
      const { subject, body } = notifText(n);
      const read = !!n.read_at;
      const href = n.ticket_id ? '/tickets/' + n.ticket_id : null;
      const open = async (e) => {
        if (e) e.preventDefault();
        if (!read) await api('POST', `/notifications/${n.id}/read`, null, { noRedirect: true }).catch(() => null);
        closeBell();
        pollBell();
        if (href) go(href);
      };
      return h('li', { class: 'notif ' + (read ? 'read' : 'unread'), dataset: { id: n.id, kind: n.kind } },
        h(href ? 'a' : 'button', href ? { href, class: 'notif-subject', onclick: open } : { type: 'button', class: 'linkish notif-subject', onclick: open }, subject),
        body ? h('p', { class: 'notif-body' }, body) : null,
        h('span', { class: 'notif-meta' }, n.ticket_number ? n.ticket_number + ' · ' : '', h('time', { datetime: n.created_at || '' }, fmtTime(n.created_at, true)),
          read ? null : h('span', { class: 'sr' }, ' ' + t('bell.unread'))));
    }) : [h('li', { class: 'muted' }, t('bell.empty'))]));
}

async function readAll() {
  try {
    await api('POST', '/notifications/read-all', null, { noRedirect: true });
  } catch (e) { toast(t('err.generic', { msg: e.message }), 'error'); return; }
  bell.unread = 0;
  drawBellButton();
  // The list shows them read at once, as the count does; the fetch
  // that follows brings whatever arrived meanwhile.
  for (const li of document.querySelectorAll('#bell-list li.notif.unread')) {
    li.classList.replace('unread', 'read');
    li.querySelector('.notif-meta .sr')?.remove();
  }
  $('#bell-read-all')?.setAttribute('disabled', '');
  await fillBell();
}

function closeBell() {
  bell.open = false;
  const list = $('#bell-list'), btn = $('#bell');
  if (list) list.hidden = true;
  if (btn) btn.setAttribute('aria-expanded', 'false');
}

// A bell drawn as SVG: an emoji would depend on the fonts of the machine.
function bellIcon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [k, v] of Object.entries({ viewBox: '0 0 24 24', width: '20', height: '20', 'aria-hidden': 'true', class: 'bell-icon' })) svg.setAttribute(k, v);
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M12 2a6 6 0 0 0-6 6v3.6L4.3 15A1 1 0 0 0 5.2 16.5h13.6a1 1 0 0 0 .9-1.5L18 11.6V8a6 6 0 0 0-6-6zm-2.5 16a2.5 2.5 0 0 0 5 0z');
  path.setAttribute('fill', 'currentColor');
  svg.appendChild(path);
  return svg;
}

function buildBell() {
  const listId = 'bell-list';
  const btn = h('button', { type: 'button', class: 'bell', id: 'bell', 'aria-controls': listId, 'aria-expanded': 'false',
    'aria-haspopup': 'true' }, bellIcon(), h('span', { class: 'count', id: 'bell-count', hidden: true }));
  const list = h('ul', { class: 'bell-list', id: listId, hidden: true, 'aria-label': t('bell.title') });
  btn.addEventListener('click', async () => {
    if (bell.open) { closeBell(); return; }
    bell.open = true;
    list.hidden = false;
    btn.setAttribute('aria-expanded', 'true');
    put(clear(list), h('li', { class: 'muted' }, t('app.loading')));
    await fillBell();
  });
  const wrap = h('div', { class: 'bell-wrap', id: 'bell-wrap', hidden: true }, btn, list);
  wrap.addEventListener('keydown', (e) => { if (e.key === 'Escape' && bell.open) { closeBell(); btn.focus(); } });
  return wrap;
}

// A click outside the open bell closes it.
document.addEventListener('click', (e) => {
  if (bell.open && !e.target.closest('#bell-wrap')) closeBell();
});

function startBell() {
  stopBell();
  bell.open = false;
  pollBell();
  state.notif = setInterval(() => { if (!document.hidden) pollBell(); }, 30000);
}
function stopBell() {
  if (state.notif) clearInterval(state.notif);
  state.notif = null;
}

// Drafts: when a write answers 401 (the session expired), the forms on the
// page are kept in sessionStorage under the page's path, and put back when
// the user returns there after logging in. Passwords and files are not kept.
const DRAFT = 'yw.draft:';
export const EXPIRED = 'yw.expired';

function saveDrafts() {
  const forms = {};
  for (const f of document.querySelectorAll('#main form[id]')) {
    const vals = [];
    for (const el of f.elements) {
      if (!el.name || el.disabled || /^(password|file|submit|button)$/.test(el.type)) continue;
      if (el.type === 'checkbox' || el.type === 'radio') vals.push([el.name, el.value, el.checked]);
      else vals.push([el.name, el.value]);
    }
    if (vals.length) forms[f.id] = vals;
  }
  try { sessionStorage.setItem(DRAFT + location.pathname + location.search, JSON.stringify(forms)); } catch { /* full or off */ }
}

// A form that is not on the page until a control opens it (the ticket's
// 内部备注 mode, its 解决 panel): the control names it with data-opens.
// Opening may fetch (the assign list): wait for the form, a few seconds at most.
function openForm(id) {
  if (document.getElementById(id)) return Promise.resolve(document.getElementById(id));
  const opener = document.querySelector(`[data-opens="${CSS.escape(id)}"]`);
  if (!opener) return Promise.resolve(null);
  return new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      const f = document.getElementById(id);
      if (f) { obs.disconnect(); clearTimeout(give); resolve(f); }
    });
    const give = setTimeout(() => { obs.disconnect(); resolve(null); }, 5000);
    obs.observe($('#main'), { childList: true, subtree: true });
    opener.click();
  });
}

async function restoreDrafts() {
  const key = DRAFT + location.pathname + location.search;
  let forms = null;
  try { forms = JSON.parse(sessionStorage.getItem(key) || 'null'); sessionStorage.removeItem(key); } catch { forms = null; }
  if (!forms) return;
  let restored = false;
  for (const [id, vals] of Object.entries(forms)) {
    const f = await openForm(id);
    if (!f) continue;
    for (const [name, value, checked] of vals) {
      for (const el of f.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (el.type === 'checkbox' || el.type === 'radio') { if (el.value === value) el.checked = checked; } else el.value = value;
        if (typeof checked !== 'boolean' && value) restored = true;
        el.dispatchEvent(new Event('input', { bubbles: true }));
        el.dispatchEvent(new Event('change', { bubbles: true }));
      }
    }
  }
  if (restored) toast(t('session.restored'));
}

async function render() {
  const seq = ++state.renderSeq;
  if (state.cleanup) { try { state.cleanup(); } catch { /* view already gone */ } state.cleanup = null; }
  const path = location.pathname;
  const route = routes.find((r) => r.re.test(path));
  const main = $('#main');
  markActive();
  if (!route) { put(clear(main), h('h1', null, t('err.not_found_page'))); return; }
  if (!route.public && !state.me) { history.replaceState(null, '', loginUrl()); return render(); }
  if (route.public && state.me && path === '/login') {
    const next = safeNext(new URLSearchParams(location.search).get('next'));
    history.replaceState(null, '', next || homeOf(state.me));
    return render();
  }
  if (route.roles && state.me && !route.roles.includes(state.me.role)) {
    const to = state.me.role === 'customer' ? route.customerGoes : route.staffGoes;
    if (to) { history.replaceState(null, '', to); return render(); }
    put(clear(main), h('h1', null, t('err.forbidden_page')));
    return;
  }
  const m = path.match(route.re);
  const mod = await import(route.mod);
  if (seq !== state.renderSeq) return;
  clear(main);
  const ctx = {
    main, me: state.me, params: m.slice(1), sub: route.sub, query: new URLSearchParams(location.search),
    alive: () => seq === state.renderSeq,
  };
  try {
    const cleanup = await mod.render(ctx);
    if (seq === state.renderSeq && state.me) await restoreDrafts();
    if (seq === state.renderSeq && typeof cleanup === 'function') state.cleanup = cleanup;
    else if (typeof cleanup === 'function') cleanup();
  } catch (e) {
    if (seq !== state.renderSeq) return;
    if (e instanceof ApiError && e.status === 401) return;
    put(clear(main), h('div', { class: 'alert error', role: 'alert' },
      e instanceof ApiError && e.status === 404 ? t('err.not_found') : t('err.load', { msg: e.message })));
  }
}

// Same-origin links go through the router instead of reloading the page.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const href = a.getAttribute('href');
  if (!href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
  e.preventDefault();
  go(href);
  $('#main').focus({ preventScroll: true });
});
window.addEventListener('popstate', render);

async function boot() {
  await initI18n();
  document.title = t('app.title');
  $('#skip-link').textContent = t('app.skip');
  setUnauthorizedHandler(() => {
    if (!state.me) return;
    // the session ended under the user's hands: keep what was typed
    saveDrafts();
    try { sessionStorage.setItem(EXPIRED, '1'); } catch { /* not remembered */ }
    state.me = null;
    stopBell();
    renderShell();
    history.replaceState(null, '', loginUrl());
    render();
  });
  try {
    const me = await api('GET', '/me', null, { noRedirect: true });
    setMe(me, me.csrf_token);
  } catch {
    state.me = null;
  }
  renderShell();
  await render();
}

// Called by the login view after a successful login.
export function loggedIn(user, csrf) {
  setMe(user, csrf);
  renderShell();
  const next = safeNext(new URLSearchParams(location.search).get('next'));
  go(next || homeOf(user), true);
}

export { isStaff, renderShell };
boot();
