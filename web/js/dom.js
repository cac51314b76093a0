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
  control.setAttribute('aria-describedby', err.id);
  return h('div', { class: 'field' + (opts.class ? ' ' + opts.class : ''), dataset: { field: opts.field || opts.name || '' } },
    h('label', { for: control.id }, labelText), control, opts.hint ? h('p', { class: 'hint' }, opts.hint) : null, err);
}

export function select(options, attrs = {}) {
  const s = h('select', attrs);
  for (const o of options) s.appendChild(h('option', { value: o.value, selected: o.selected }, o.label));
  return s;
}

// Shows the API error at its field inside form, or in the form's general
// message slot when the field is unknown. Returns true when shown at a field.
export function showFieldError(form, err, fallbackText) {
  for (const p of $$('.field-error', form)) p.textContent = '';
  for (const f of $$('.field.invalid', form)) f.classList.remove('invalid');
  const general = $('.form-error', form);
  if (general) general.textContent = '';
  if (!err) return false;
  const name = err.field || '';
  const wrap = name && (form.querySelector(`.field[data-field="${CSS.escape(name)}"]`) ||
    form.querySelector(`.field[data-field="${CSS.escape(name.replace(/_id$/, ''))}"]`));
  if (wrap) {
    wrap.classList.add('invalid');
    $('.field-error', wrap).textContent = err.message;
    const ctl = wrap.querySelector('input,select,textarea');
    if (ctl) ctl.setAttribute('aria-invalid', 'true');
    return true;
  }
  if (general) general.textContent = fallbackText || err.message;
  return false;
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
