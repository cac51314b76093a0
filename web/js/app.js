// The application: boot, the shell (header, navigation, bell, language),
// and the router. Routes by URL with the history API; the server answers
// index.html for every path without a dot, so deep links work.
import { h, clear, $, toast } from './dom.js';
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
  const bell = h('div', { class: 'bell-wrap', id: 'bell-wrap', hidden: true });
  const user = h('span', { class: 'who', id: 'who' }, state.me.display_name || state.me.login,
    h('span', { class: 'role' }, t('role.' + state.me.role)));
  const out = h('button', { type: 'button', class: 'linkish', id: 'logout', onclick: logout }, t('nav.logout'));
  top.append(
    h('a', { class: 'brand', href: homeOf(state.me) }, t('app.name')),
    toggle,
    h('nav', { 'aria-label': t('nav.label') }, ul),
    h('div', { class: 'top-right' }, bell, user, langSel, out));
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

// The notifications bell: shown only when the server has notifications.
async function pollBell() {
  const wrap = $('#bell-wrap');
  if (!wrap || !state.me) return;
  let data;
  try {
    data = await api('GET', '/notifications?limit=20', null, { noRedirect: true });
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 400 || e.status === 405)) stopBell();
    wrap.hidden = true;
    return;
  }
  const items = (data && data.items) || [];
  const unread = typeof data.unread === 'number' ? data.unread : items.filter((n) => !n.read_at && !n.read).length;
  clear(wrap);
  wrap.hidden = false;
  const listId = 'bell-list';
  const btn = h('button', { type: 'button', class: 'bell', 'aria-controls': listId, 'aria-expanded': 'false',
    'aria-label': t('bell.label', { n: unread }) }, '🔔', unread ? h('span', { class: 'count', id: 'bell-count' }, String(unread)) : null);
  const list = h('ul', { class: 'bell-list', id: listId, hidden: true },
    items.length ? items.map((n) => h('li', { class: n.read_at || n.read ? '' : 'unread' },
      h(n.ticket_id ? 'a' : 'span', n.ticket_id ? { href: '/tickets/' + n.ticket_id } : null,
        n.message || n.title || n.body || n.kind || ''),
      h('time', null, fmtTime(n.created_at, true)))) : h('li', null, t('bell.empty')));
  btn.addEventListener('click', () => {
    const open = list.hidden;
    list.hidden = !open;
    btn.setAttribute('aria-expanded', String(open));
  });
  wrap.append(btn, list);
}
function startBell() {
  stopBell();
  pollBell();
  state.notif = setInterval(pollBell, 60000);
}
function stopBell() {
  if (state.notif) clearInterval(state.notif);
  state.notif = null;
}

async function render() {
  const seq = ++state.renderSeq;
  if (state.cleanup) { try { state.cleanup(); } catch { /* view already gone */ } state.cleanup = null; }
  const path = location.pathname;
  const route = routes.find((r) => r.re.test(path));
  const main = $('#main');
  markActive();
  if (!route) { clear(main).append(h('h1', null, t('err.not_found_page'))); return; }
  if (!route.public && !state.me) { history.replaceState(null, '', loginUrl()); return render(); }
  if (route.public && state.me && path === '/login') {
    const next = safeNext(new URLSearchParams(location.search).get('next'));
    history.replaceState(null, '', next || homeOf(state.me));
    return render();
  }
  if (route.roles && state.me && !route.roles.includes(state.me.role)) {
    const to = state.me.role === 'customer' ? route.customerGoes : route.staffGoes;
    if (to) { history.replaceState(null, '', to); return render(); }
    clear(main).append(h('h1', null, t('err.forbidden_page')));
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
    if (seq === state.renderSeq && typeof cleanup === 'function') state.cleanup = cleanup;
    else if (typeof cleanup === 'function') cleanup();
  } catch (e) {
    if (seq !== state.renderSeq) return;
    if (e instanceof ApiError && e.status === 401) return;
    clear(main).append(h('div', { class: 'alert error', role: 'alert' },
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
