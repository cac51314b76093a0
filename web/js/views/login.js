// The login page. After login the user goes back where it was sent from
// (?next=), or to its home.
import { h, put, field } from '../dom.js';
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { loggedIn, EXPIRED } from '../app.js';

export async function render(ctx) {
  const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const msg = h('p', { class: 'form-error', role: 'alert', id: 'login-error' });
  let expired = false;
  try { expired = sessionStorage.getItem(EXPIRED) === '1'; } catch { expired = false; }
  const btn = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h('form', { class: 'card login', novalidate: true },
    h('h1', null, t('login.title')),
    h('p', { class: 'muted' }, t('login.subtitle')),
    expired ? h('p', { class: 'alert warn', id: 'session-expired', role: 'status' }, t('session.expired')) : null,
    field(t('login.username'), user, { name: 'username' }),
    field(t('login.password'), pass, { name: 'password' }),
    msg, btn);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.textContent = '';
    if (!user.value.trim() || !pass.value) { msg.textContent = t('login.missing'); return; }
    btn.disabled = true;
    try {
      const r = await api('POST', '/auth/login', { username: user.value.trim(), password: pass.value }, { noRedirect: true });
      try { sessionStorage.removeItem(EXPIRED); } catch { /* nothing kept */ }
      loggedIn(r.user, r.csrf_token);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) msg.textContent = t('login.bad');
      else if (err instanceof ApiError && err.status === 429) msg.textContent = t('login.throttled', { s: err.retryAfter || '60' });
      else msg.textContent = t('err.generic', { msg: err.message });
      pass.select();
    } finally {
      btn.disabled = false;
    }
  });
  put(ctx.main, h('div', { class: 'login-wrap' }, form));
  user.focus();
}
