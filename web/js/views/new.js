// The new-ticket form. For the desk (a phone call, a walk-in): requester
// lookup by name or phone, category tree, impact × urgency with the
// priority the matrix gives, shown as you pick. For a customer (portal):
// type, category, title, description, urgency (never impact), attachments. Errors from the API
// are shown at their field.
import { h, put, clear, field, select, showFieldError, toast, segmented } from '../dom.js';
import { api, qs, ApiError } from '../api.js';
import { t, tOr } from '../i18n.js';
import { go } from '../app.js';
import { uploadAttachment, uploadProgress, showProgress } from '../upload.js';
import { isStaff, TYPES, CHANNELS, typeText, loadCategories, loadGroups, loadMatrix, categoryTree, matrixPriority } from '../model.js';

export async function render(ctx) {
  put(ctx.main, await newTicketForm(ctx));
}

export async function newTicketForm(ctx) {
  const { me, query } = ctx;
  const staff = isStaff(me);
  const [cats, groups, matrix] = await Promise.all([
    loadCategories().catch(() => []),
    staff ? loadGroups().catch(() => []) : [],
    staff ? loadMatrix().catch(() => null) : null]);
  const tree = categoryTree(cats);

  const form = h('form', { class: 'card stack new-ticket', id: 'new-ticket', novalidate: true });
  const wantType = TYPES.includes(query.get('type')) ? query.get('type') : (staff ? 'incident' : 'request');
  const typeBox = h('fieldset', { class: 'seg', dataset: { field: 'type' } }, h('legend', null, t('col.type')),
    TYPES.map((ty) => h('label', { class: 'seg-item' }, h('input', { type: 'radio', name: 'type', value: ty, checked: ty === wantType }),
      staff ? typeText(ty) : t('portal.type.' + ty))),
    h('p', { class: 'field-error' }));

  // Requester lookup (desk only): GET /users?q= matches name, login, phone, e-mail.
  const reqId = h('input', { type: 'hidden', name: 'requester_id' });
  const reqQ = h('input', { type: 'search', name: 'requester_q', autocomplete: 'off', placeholder: t('new.requester_ph'),
    'aria-controls': 'requester-results' });
  const reqResults = h('ul', { class: 'lookup', id: 'requester-results', 'aria-label': t('new.requester_results') });
  const reqChosen = h('p', { class: 'chosen', id: 'requester-chosen', 'aria-live': 'polite' });
  let lookupTimer = null, lookupSeq = 0;
  const choose = (u) => {
    reqId.value = String(u.id);
    reqChosen.textContent = t('new.requester_chosen', { name: u.display_name || u.login, extra: [u.phone, u.organization_name || ''].filter(Boolean).join(' · ') });
    clear(reqResults);
  };
  reqQ.addEventListener('input', () => {
    clearTimeout(lookupTimer);
    const q = reqQ.value.trim();
    if (q.length < 1) { clear(reqResults); return; }
    lookupTimer = setTimeout(async () => {
      const seq = ++lookupSeq;
      try {
        const r = await api('GET', '/users' + qs({ q, limit: 10 }));
        if (seq !== lookupSeq) return;
        put(clear(reqResults), ...(r.items.length ? r.items.map((u) => h('li', null, h('button', { type: 'button', class: 'linkish', onclick: () => choose(u) },
          u.display_name || u.login, h('span', { class: 'muted' }, ' ' + [u.phone, u.login, tOr('role.' + u.role, u.role)].filter(Boolean).join(' · ')))))
          : [h('li', { class: 'muted' }, t('new.requester_none'))]));
      } catch (e) {
        put(clear(reqResults), h('li', { class: 'muted' }, e.message));
      }
    }, 200);
  });

  const title = h('input', { type: 'text', name: 'title', maxlength: '200', required: true });
  const desc = h('textarea', { name: 'description', rows: '6', maxlength: '20000' });
  const cat = select([{ value: '', label: t('app.choose') }, ...tree.map((c) => ({ value: c.id, label: '\u3000'.repeat(c.depth) + c.name }))], { name: 'category_id' });
  const channel = select(CHANNELS.map((c) => ({ value: c, label: tOr('channel.' + c, c), selected: c === 'phone' })), { name: 'channel' });
  const lv = (def) => [1, 2, 3].map((n) => ({ value: n, label: tOr('level.' + n, n), selected: n === def }));
  const impact = select(lv(3), { name: 'impact' });
  const urgency = select(lv(3), { name: 'urgency' });
  const prio = h('output', { id: 'computed-priority', class: 'badge', 'aria-live': 'polite', for: '' });
  const showPrio = () => {
    const p = matrixPriority(matrix, Number(impact.value), Number(urgency.value));
    prio.textContent = p || '—';
    prio.className = 'badge pr-' + String(p || '').toLowerCase();
  };
  impact.addEventListener('change', showPrio);
  urgency.addEventListener('change', showPrio);
  const group = select([{ value: '', label: t('new.group_default') }, ...groups.map((g) => ({ value: g.id, label: g.name }))], { name: 'group_id' });
  const files = h('input', { type: 'file', name: 'files', multiple: true });
  const progress = uploadProgress();
  const general = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'new-submit' });
  const heading = h('h1', { id: 'new-heading' });
  // the words follow the type: 报告故障 / 提交故障 for a fault, 提交请求 for a request
  const wording = () => {
    const ty = form.querySelector('input[name=type]:checked')?.value || wantType;
    heading.textContent = staff ? t('new.title') : t('portal.new_title_' + ty);
    submit.textContent = staff ? t('new.submit') : t('new.submit_' + ty);
  };
  typeBox.addEventListener('change', wording);

  put(form, heading, segmented(typeBox));
  wording();
  if (staff) {
    put(form, h('div', { class: 'field', dataset: { field: 'requester_id' } },
      h('label', { for: reqQ.id = 'requester-q' }, t('new.requester')), reqQ, reqResults, reqChosen, reqId, h('p', { class: 'field-error' })));
    put(form, field(t('col.channel'), channel, { name: 'channel' }));
  }
  put(form, field(t('col.category'), cat, { name: 'category_id' }),
    field(t('col.title'), title, { name: 'title' }),
    field(t('col.description'), desc, { name: 'description' }));
  if (staff) {
    put(form, h('div', { class: 'row3' }, field(t('col.impact'), impact, { name: 'impact' }), field(t('col.urgency'), urgency, { name: 'urgency' }),
      h('div', { class: 'field' }, h('span', { class: 'label', id: 'prio-label' }, t('new.priority')), prio)),
    field(t('col.group'), group, { name: 'group_id' }));
    prio.setAttribute('aria-labelledby', 'prio-label');
    showPrio();
  } else {
    // a customer states urgency; impact and the fault level are the desk's to set
    put(form, field(t('col.urgency'), urgency, { name: 'urgency' }));
  }
  put(form, field(t('new.files'), files, { name: 'files' }), progress, general, h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFieldError(form, null);
    const body = { type: form.querySelector('input[name=type]:checked').value, title: title.value, description: desc.value };
    if (cat.value) body.category_id = Number(cat.value);
    body.urgency = Number(urgency.value);
    if (staff) {
      body.channel = channel.value;
      body.impact = Number(impact.value);
      if (reqId.value) body.requester_id = Number(reqId.value);
      if (group.value) body.group_id = Number(group.value);
    }
    submit.disabled = true;
    let created;
    try {
      created = await api('POST', '/tickets', body);
    } catch (ex) {
      submit.disabled = false;
      showFieldError(form, ex, ex instanceof ApiError ? t('err.generic', { msg: ex.message }) : ex.message);
      return;
    }
    try {
      for (const f of files.files)
        await uploadAttachment(created.id, f, { onProgress: showProgress(progress, f) });
    } catch (ex) {
      toast(t('new.attach_failed', { msg: ex.message }), 'error');
    }
    progress.hidden = true;
    toast(t('new.created', { n: created.number || created.id }));
    go('/tickets/' + created.id);
  });
  return form;
}
