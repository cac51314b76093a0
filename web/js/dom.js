// DOM helpers. Everything the server sends is inserted as text: h() sets
// textContent for string children; no HTML parsing anywhere.

// h('a', {href: '/x', class: 'btn', onclick: fn}, 'text', childNode, [more])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'selected' || k === 'disabled' || k === 'hidden' || k === 'multiple' || k === 'required')
        el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

// put(el, a, b, ...): appends the children as append() does. The DOM's own
// el.append() writes null and undefined as the text "null"; the UI never
// calls it (tests/e2e/catalog.test.mjs checks), so a child left out by a
// condition (cond ? node : null) is simply not there.
export function put(el, ...children) { return append(el, children); }

export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function $(sel, root = document) { return root.querySelector(sel); }
export function $$(sel, root = document) { return Array.from(root.querySelectorAll(sel)); }

let uid = 0;
export function nextId(prefix = 'f') { uid += 1; return `${prefix}-${uid}`; }

// A labelled form control: label + control + a slot for the API's message
// about this field (data-field names the API field).
export function field(labelText, control, opts = {}) {
  if (!control.id) control.id = nextId();
  if (opts.name && !control.name) control.name = opts.name;
  const err = h('p', { class: 'field-error', id: control.id + '-err', 'aria-live': 'polite' });
  const count = counter(control);
  control.setAttribute('aria-describedby', err.id + (count ? ' ' + count.id : ''));
  return h('div', { class: 'field' + (opts.class ? ' ' + opts.class : ''), dataset: { field: opts.field || opts.name || '' } },
    h('label', { for: control.id }, labelText), control, count, opts.hint ? h('p', { class: 'hint' }, opts.hint) : null, err);
}

// "12/200" under a text control with a maxlength, kept up to date as the
// user types (and when a form restores a draft: it fires "input").
export function counter(control) {
  const max = Number(control.getAttribute && control.getAttribute('maxlength'));
  if (!max || !/^(INPUT|TEXTAREA)$/.test(control.tagName)) return null;
  const el = h('p', { class: 'counter', id: control.id + '-count' });
  const sync = () => {
    const n = control.value.length;
    el.textContent = `${n}/${max}`;
    el.classList.toggle('near', n >= max * 0.9);
  };
  control.addEventListener('input', sync);
  sync();
  return el;
}

export function select(options, attrs = {}) {
  const s = h('select', attrs);
  for (const o of options) s.appendChild(h('option', { value: o.value, selected: o.selected }, o.label));
  return s;
}

// Shows the API error at its field inside form, or in the form's general
// message slot when the field is unknown. Returns true when shown at a field.
export function showFieldError(form, err, fallbackText) {
  clearErrors(form);
  if (!err) return false;
  // an answer that names several fields ({"error": {..., "errors": [{field, message}]}}) shows them all
  const more = err.body && err.body.error && Array.isArray(err.body.error.errors) ? err.body.error.errors : [];
  for (const e of more) if (e && e.field && e.field !== err.field) markField(form, e, null, true);
  return markField(form, err, fallbackText);
}

// Shows several messages at once ([{field, message}], the form's own
// checks): each at its field, the ones without a field together in the
// general slot. Returns the number shown.
export function showFieldErrors(form, errs) {
  clearErrors(form);
  const rest = errs.filter((e) => !markField(form, e, null, true));
  const general = $('.form-error', form);
  if (general && rest.length) general.textContent = rest.map((e) => e.message).join(' ');
  const bad = form.querySelector('[aria-invalid="true"]');
  if (bad) bad.focus();
  return errs.length;
}

function clearErrors(form) {
  for (const p of $$('.field-error', form)) p.textContent = '';
  for (const f of $$('.field.invalid', form)) f.classList.remove('invalid');
  for (const c of $$('[aria-invalid]', form)) c.removeAttribute('aria-invalid');
  const general = $('.form-error', form);
  if (general) general.textContent = '';
}

function markField(form, err, fallbackText, quiet = false) {
  const general = $('.form-error', form);
  const name = err.field || '';
  const wrap = name && (form.querySelector(`.field[data-field="${CSS.escape(name)}"]`) ||
    form.querySelector(`.field[data-field="${CSS.escape(name.replace(/_id$/, ''))}"]`));
  if (wrap) {
    wrap.classList.add('invalid');
    const slot = $('.field-error', wrap);
    slot.textContent = slot.textContent ? slot.textContent + ' ' + err.message : err.message;
    const ctl = wrap.querySelector('input,select,textarea');
    if (ctl) ctl.setAttribute('aria-invalid', 'true');
    return true;
  }
  if (general && !quiet) general.textContent = fallbackText || err.message;
  return false;
}

// The form's own checks before it is sent, all at once: required controls
// left empty, text over its maxlength, an e-mail without "@". Returns
// [{field, message}] (empty when the form may be sent); name -> field
// label comes from the control's <label> or <legend>.
export function checkForm(form, t) {
  const errs = [];
  for (const c of $$('input,select,textarea', form)) {
    if (c.disabled || c.closest('[hidden]') || /^(hidden|checkbox|radio|file)$/.test(c.type)) continue;
    const wrap = c.closest('.field');
    const fieldName = (wrap && wrap.dataset.field) || c.name;
    const label = (wrap && wrap.querySelector('label,legend'))?.textContent.replace(/\s*\*$/, '') || c.name;
    const v = c.value;
    const max = Number(c.getAttribute('maxlength'));
    if (c.hasAttribute('required') || c.required) {
      if (!String(v).trim()) { errs.push({ field: fieldName, message: t('form.required', { f: label }) }); continue; }
    }
    if (max && v.length > max) errs.push({ field: fieldName, message: t('form.too_long', { f: label, n: max }) });
    else if (c.type === 'email' && v && !/^[^@\s]+@[^@\s]+$/.test(v)) errs.push({ field: fieldName, message: t('form.bad_email', { f: label }) });
  }
  return errs;
}

let toastTimer = null;
export function toast(text, kind = 'ok') {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.className = 'toast show ' + kind;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.className = 'toast'; }, 4000);
}

// Marks the checked choice of a segmented radio group (label.seg-item > input)
// with the class "on", now and on every change.
export function segmented(group) {
  const sync = () => { for (const l of group.querySelectorAll('.seg-item')) l.classList.toggle('on', !!l.querySelector('input:checked')); };
  group.addEventListener('change', sync);
  sync();
  return group;
}
