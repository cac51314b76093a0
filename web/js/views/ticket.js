// The ticket page: every field, SLA badges, the timeline (comments,
// internal notes, work logs, attachments, every field change), the
// compose box, the life-cycle buttons the server allows this user, and
// assign / reassign / re-grade / edit. A stale write (409) shows what
// someone else changed.
import { h, put, clear, field, select, showFieldError, toast, segmented } from '../dom.js';
import { api, ApiError, listAll } from '../api.js';
import { uploadAttachment, uploadProgress, showProgress } from '../upload.js';
import { t, tOr, fmtTime, fmtMinutes, fmtBytes } from '../i18n.js';
import { isStaff, isLead, OPEN_STATUSES, RESOLUTION_CODES, CHANNELS, refName, refId, statusText, typeText, faultText,
  priorityText, statusBadge, priorityBadge, loadGroups, loadStaff, loadCategories, categoryTree } from '../model.js';
import { slaBadges, refreshBadges } from '../sla.js';
import { historyText, ENTRY_FIELDS } from '../history.js';

// The fields shown beside the timeline, and compared after a conflict.
const FIELDS = [
  { key: 'status', label: 'col.status', text: (x) => statusText(x.status) },
  { key: 'priority', label: 'col.priority', text: (x) => priorityText(x.priority) },
  { key: 'type', label: 'col.type', text: (x) => typeText(x.type) },
  { key: 'fault_level', label: 'col.fault_level', text: (x) => faultText(x.fault_level), staff: true },
  { key: 'impact', label: 'col.impact', text: (x) => tOr('level.' + x.impact, x.impact ?? '—') },
  { key: 'urgency', label: 'col.urgency', text: (x) => tOr('level.' + x.urgency, x.urgency ?? '—') },
  { key: 'channel', label: 'col.channel', text: (x) => tOr('channel.' + x.channel, x.channel ?? '—') },
  { key: 'category', label: 'col.category', text: (x) => refName(x, 'category') },
  { key: 'requester', label: 'col.requester', text: (x) => refName(x, 'requester') },
  { key: 'organization', label: 'col.organization', text: (x) => refName(x, 'organization') },
  { key: 'group', label: 'col.group', text: (x) => refName(x, 'group') },
  { key: 'assignee', label: 'col.assignee', text: (x) => refName(x, 'assignee') },
  { key: 'title', label: 'col.title', text: (x) => x.title || '', hidden: true },
  { key: 'description', label: 'col.description', text: (x) => x.description || '', hidden: true },
  { key: 'resolution_code', label: 'col.resolution_code', text: (x) => (x.resolution_code ? tOr('res.' + x.resolution_code, x.resolution_code) : '—') },
  { key: 'resolution_notes', label: 'col.resolution_notes', text: (x) => x.resolution_notes || '—' },
  { key: 'created_at', label: 'col.created', text: (x) => fmtTime(x.created_at) },
  { key: 'first_response_at', label: 'col.first_response', text: (x) => fmtTime(x.first_response_at) },
  { key: 'resolved_at', label: 'col.resolved', text: (x) => fmtTime(x.resolved_at) },
  { key: 'closed_at', label: 'col.closed', text: (x) => fmtTime(x.closed_at) },
  { key: 'reopen_count', label: 'col.reopen_count', text: (x) => String(x.reopen_count ?? 0), staff: true },
  { key: 'updated_at', label: 'col.updated', text: (x) => fmtTime(x.updated_at) },
];

// What a transition asks for besides an optional note.
const NEEDS = {
  pending: ['note'], reopened: ['note'], rejected: ['note'],
  resolved: ['resolution_code', 'resolution_notes'], assigned: ['assignee_id'],
};
// The server's length limits (TK_TITLE_MAX, TK_TEXT_MAX, TK_NOTE_MAX in src/domain/ticket/tk.h).
export const TITLE_MAX = 200, TEXT_MAX = 20000, NOTE_MAX = 4000;

export async function render(ctx) {
  const { main, me } = ctx;
  const id = Number(ctx.params[0]);
  const staff = isStaff(me);
  const st = { t: null, entries: [], history: [], attachments: [], transitions: [] };
  const root = h('article', { class: 'ticket', id: 'ticket' });
  const conflict = h('div', { class: 'alert warn', id: 'conflict', role: 'alert', hidden: true });
  const panel = h('div', { class: 'panel', id: 'panel', hidden: true });
  put(main, root);

  // A customer's own words: 回复 / 补充说明 instead of 回复客户 ("_c" keys).
  const cs = (mode) => (!staff && mode === 'reply' ? '_c' : '');
  // A transition's button; a customer withdraws a fault or a request.
  const trLabel = (to) => (staff ? tOr('tr.' + to, to)
    : tOr(`trc.${to}_${st.t.type}`, tOr('trc.' + to, tOr('tr.' + to, to))));

  async function fetchTicket() { return api('GET', `/tickets/${id}`); }
  async function load() {
    const [tk, entries, history, atts, trans] = await Promise.all([
      fetchTicket(),
      // a long-lived ticket's timeline comes a page at a time
      listAll(`/tickets/${id}/comments`, 5000).catch(() => ({ items: [] })),
      listAll(`/tickets/${id}/history`, 5000).catch(() => ({ items: [] })),
      listAll(`/tickets/${id}/attachments`, 5000).catch(() => ({ items: [] })),
      api('GET', `/tickets/${id}/transitions`).catch(() => ({ items: [] })),
    ]);
    st.t = tk;
    st.entries = entries.items || [];
    st.history = history.items || [];
    st.attachments = atts.items || [];
    const tr = trans.items || trans.allowed || tk.allowed_transitions || [];
    st.transitions = tr.map((x) => (typeof x === 'string' ? { to: x, requires: [] } : { to: x.to, requires: x.requires || [] }));
  }

  // After a write: reload everything and redraw, keeping the conflict banner.
  async function reload() {
    await load();
    if (ctx.alive()) draw();
  }

  function closePanel() { clear(panel); panel.hidden = true; }
  function openPanel(title, form) {
    put(clear(panel), h('h2', null, title), form);
    panel.hidden = false;
    const first = form.querySelector('input,select,textarea,button');
    if (first) first.focus();
  }

  // A PATCH with the version we read; 409 shows what changed instead.
  async function patch(body, form) {
    try {
      await api('PATCH', `/tickets/${id}`, body, { ifMatch: st.t.version });
      closePanel();
      toast(t('ticket.saved'));
      await reload();
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.code !== 'invalid_transition') { await showConflict(); return false; }
      if (form) showFieldError(form, e, t('err.generic', { msg: e.message }));
      else toast(t('err.generic', { msg: e.message }), 'error');
      return false;
    }
  }

  async function showConflict() {
    const before = st.t;
    await load();
    const after = st.t;
    const changed = FIELDS.filter((f) => f.text(before) !== f.text(after));
    put(clear(conflict), 
      h('p', null, h('strong', null, t('conflict.title'))),
      h('p', null, t('conflict.body')),
      changed.length ? h('ul', { class: 'changes' }, changed.map((f) => h('li', null,
        h('span', { class: 'k' }, t(f.label)), ': ', h('del', null, f.text(before)), ' → ', h('ins', null, f.text(after)))))
        : h('p', null, t('conflict.same')),
      h('button', { type: 'button', onclick: () => { conflict.hidden = true; } }, t('conflict.dismiss')));
    conflict.hidden = false;
    closePanel();
    draw();
    conflict.scrollIntoView({ block: 'nearest' });
  }

  // ---- the parts of the page ----

  function header(x) {
    return h('header', { class: 'tk-head' },
      h('p', { class: 'num' }, x.number || '#' + x.id),
      h('h1', { id: 'tk-title' }, x.title || ''),
      h('div', { class: 'badges' }, statusBadge(x.status), priorityBadge(x.priority), h('span', { class: 'badge' }, typeText(x.type)),
        staff && x.fault_level ? h('span', { class: 'badge fault' }, faultText(x.fault_level)) : null),
      h('div', { class: 'badges', id: 'sla', 'aria-label': t('col.sla') }, slaBadges(x, false, { staff })),
      staff && Array.isArray(x.coordinations) && x.coordinations.length
        ? h('p', { class: 'coord', id: 'coordinations' }, x.coordinations.map((c) => t('sla.coordination', {
          target: tOr('sla.target.' + c.target, c.target), t: fmtTime(c.opened_at),
          who: (c.participants || []).map((p) => p.name || tOr('sla.notify.' + p.role, p.role || '')).join(t('hist.list_sep')) })).join(t('hist.part_sep')))
        : null);
  }

  function actions(x) {
    const bar = h('div', { class: 'actions', id: 'actions', role: 'group', 'aria-label': t('ticket.actions') });
    for (const tr of st.transitions)
      put(bar, h('button', { type: 'button', class: 'tr tr-' + tr.to, dataset: { to: tr.to, opens: 'form-tr-' + tr.to }, onclick: () => transitionForm(tr) },
        trLabel(tr.to)));
    const open = OPEN_STATUSES.includes(x.status);
    if (staff && open && refId(x, 'assignee') !== me.id)
      put(bar, h('button', { type: 'button', id: 'take', onclick: () => patch({ assignee_id: me.id }) }, t('ticket.take')));
    if (isLead(me) && open) put(bar, h('button', { type: 'button', id: 'reassign', dataset: { opens: 'form-reassign' }, onclick: reassignForm }, t('ticket.reassign')));
    if (isLead(me) && x.type === 'incident' && open) put(bar, h('button', { type: 'button', id: 'regrade', dataset: { opens: 'form-regrade' }, onclick: regradeForm }, t('ticket.regrade')));
    if (staff && open) put(bar, h('button', { type: 'button', id: 'edit', dataset: { opens: 'form-edit' }, onclick: editForm }, t('ticket.edit')));
    return bar;
  }

  function fieldsList(x) {
    return h('dl', { class: 'fields', id: 'fields' },
      FIELDS.filter((f) => !f.hidden && (!f.staff || staff)).map((f) => [h('dt', null, t(f.label)), h('dd', { dataset: { key: f.key } }, f.text(x))]));
  }

  function timeline() {
    const rows = [];
    for (const e of st.entries) rows.push({ at: e.created_at, seq: 1, id: e.id, node: entryNode(e) });
    for (const a of st.attachments) rows.push({ at: a.created_at, seq: 2, id: a.id, node: attachmentNode(a) });
    for (const r of st.history) if (!ENTRY_FIELDS.has(r.field)) rows.push({ at: r.at, seq: 0, id: r.id, node: historyNode(r) });
    rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq || a.id - b.id));
    return h('ol', { class: 'timeline', id: 'timeline', 'aria-label': t('ticket.timeline') }, rows.map((r) => r.node));
  }

  function entryNode(e) {
    const kind = e.kind || (e.internal ? 'note' : 'comment');
    const internal = kind !== 'comment' || e.internal === true;
    return h('li', { class: 'tl tl-' + kind + (internal ? ' tl-internal' : ''), dataset: { kind } },
      h('div', { class: 'tl-meta' },
        h('span', { class: 'who' }, refName(e, 'author')),
        h('span', { class: 'kind' + (internal ? ' internal-tag' : '') }, t('entry.' + kind)),
        kind === 'worklog' && e.minutes ? h('span', { class: 'mins' }, fmtMinutes(e.minutes)) : null,
        h('time', { datetime: e.created_at || '' }, fmtTime(e.created_at))),
      e.body ? h('p', { class: 'body' }, e.body) : null);
  }

  function attachmentNode(a) {
    return h('li', { class: 'tl tl-attachment' + (a.internal ? ' tl-internal' : '') },
      h('div', { class: 'tl-meta' }, h('span', { class: 'who' }, refName(a, 'uploader')),
        h('span', { class: 'kind' + (a.internal ? ' internal-tag' : '') }, t(a.internal ? 'entry.attachment_internal' : 'entry.attachment')),
        h('time', { datetime: a.created_at || '' }, fmtTime(a.created_at))),
      h('p', { class: 'body' }, h('a', { href: `/api/v1/attachments/${a.id}`, download: a.filename || '' }, a.filename || '#' + a.id),
        ' ', h('span', { class: 'muted' }, typeof a.size === 'number' ? fmtBytes(a.size) : '')));
  }

  function historyNode(r) {
    const { who, what, note } = historyText(r);
    return h('li', { class: 'tl tl-history', dataset: { field: r.field } },
      h('div', { class: 'tl-meta' }, h('span', { class: 'who' }, who), h('span', { class: 'what' }, what),
        h('time', { datetime: r.at || '' }, fmtTime(r.at))),
      note ? h('p', { class: 'body note' }, note) : null);
  }

  function compose(x) {
    const modes = staff ? ['reply', 'note', 'worklog', 'attach'] : ['reply', 'attach'];
    const tabs = h('div', { class: 'seg', role: 'radiogroup', 'aria-label': t('compose.label') });
    const area = h('div', { class: 'compose-body' });
    const name = 'compose-mode';
    for (const m of modes) {
      const r = h('input', { type: 'radio', name, value: m, id: 'mode-' + m, checked: m === 'reply', dataset: { opens: 'form-' + m } });
      r.addEventListener('change', () => drawMode(m));
      put(tabs, h('label', { for: 'mode-' + m, class: 'seg-item' }, r, t('compose.' + m + cs(m))));
    }
    const drawMode = (m) => { put(clear(area), composeForm(m)); };
    drawMode('reply');
    segmented(tabs);
    return h('section', { class: 'compose card', id: 'compose', 'aria-labelledby': 'compose-h' },
      h('h2', { id: 'compose-h' }, t('compose.title')), tabs, area);
  }

  function composeForm(mode) {
    const form = h('form', { class: 'stack', novalidate: true, id: 'form-' + mode });
    const err = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('compose.send_' + mode + cs(mode)));
    let send;
    if (mode === 'reply' || mode === 'note') {
      const body = h('textarea', { name: 'body', rows: '4', required: true, maxlength: String(TEXT_MAX) });
      put(form, field(t(mode === 'note' ? 'compose.note_label' : 'compose.reply_label' + cs(mode)), body, { name: 'body' }),
        mode === 'note' ? h('p', { class: 'hint internal-tag' }, t('compose.note_hint')) : null);
      send = () => api('POST', `/tickets/${id}/comments`, { body: body.value, internal: mode === 'note' });
    } else if (mode === 'worklog') {
      const minutes = h('input', { type: 'number', name: 'minutes', min: '1', max: '1440', step: '1', required: true, inputmode: 'numeric' });
      const note = h('textarea', { name: 'note', rows: '2', maxlength: String(NOTE_MAX) });
      put(form, field(t('compose.minutes'), minutes, { name: 'minutes' }), field(t('compose.work_note'), note, { name: 'note' }));
      send = () => api('POST', `/tickets/${id}/worklogs`, { minutes: Number(minutes.value), note: note.value });
    } else {
      const file = h('input', { type: 'file', name: 'file', multiple: true, required: true });
      const internal = h('input', { type: 'checkbox', name: 'internal' });
      const progress = uploadProgress();
      put(form, field(t('compose.file'), file, { name: 'filename' }),
        staff ? h('label', { class: 'check' }, internal, t('compose.internal_file')) : null, progress);
      send = async () => {
        if (!file.files.length) throw new ApiError(400, { error: { code: 'invalid_field', field: 'filename', message: t('compose.file_missing') } });
        try {
          for (const f of file.files)
            await uploadAttachment(id, f, { internal: internal.checked, onProgress: showProgress(progress, f) });
        } finally {
          progress.hidden = true;
        }
      };
    }
    put(form, err, submit);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      try {
        await send();
        toast(t('compose.sent_' + mode + cs(mode)));
        await reload();
        const again = document.getElementById('mode-' + mode);
        if (again && !again.checked) again.click();
      } catch (ex) {
        showFieldError(form, ex, t('err.generic', { msg: ex.message }));
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  // ---- action forms ----

  // Everyone the ticket may go to, by group, the ticket's group first:
  // GET /tickets/{id}/assignees, or (a server without it) the groups with
  // their members. [{id, name, members: [{id, name, login}]}]
  async function assigneeGroups() {
    let groups;
    try {
      groups = (await api('GET', `/tickets/${id}/assignees`)).groups || [];
    } catch (e) {
      if (!(e instanceof ApiError && (e.status === 404 || e.status === 405))) throw e;
      const [all, people] = await Promise.all([loadGroups(), loadStaff()]);
      const byId = new Map(people.map((u) => [u.id, u]));
      groups = all.map((g) => ({ id: g.id, name: g.name, members: (g.member_ids || []).map((m) => byId.get(m)).filter(Boolean)
        .map((u) => ({ id: u.id, name: u.display_name || u.login, login: u.login })) }));
    }
    const cur = refId(st.t, 'group');
    return [...groups.filter((g) => g.id === cur), ...groups.filter((g) => g.id !== cur)];
  }

  // One control for both 指派 and 改派: a person of any group, grouped by
  // group; value "group:user" (user 0: the group only, for 改派 of a
  // ticket nobody works yet: one being worked keeps an assignee).
  function assignControl(groups, groupOnly) {
    const cur = refId(st.t, 'group'), who = refId(st.t, 'assignee');
    groupOnly = groupOnly && !who;
    const sel = h('select', { name: 'assignee_id', required: true, id: 'assign-pick' },
      h('option', { value: '' }, t('app.choose')),
      groups.map((g) => h('optgroup', { label: g.id === cur ? t('assign.current_group', { g: g.name }) : g.name, dataset: { group: g.id } },
        groupOnly && g.id !== cur ? h('option', { value: `${g.id}:0` }, t('assign.group_only', { g: g.name })) : null,
        g.members.map((u) => h('option', { value: `${g.id}:${u.id}`, selected: g.id === cur && u.id === who },
          u.login && u.login !== u.name ? `${u.name}（${u.login}）` : u.name)))));
    const note = h('p', { class: 'hint', id: 'assign-moves', 'aria-live': 'polite' });
    const sync = () => {
      const [g] = sel.value.split(':').map(Number);
      const grp = groups.find((x) => x.id === g);
      note.textContent = grp && g !== cur ? t('assign.moves_group', { g: grp.name }) : '';
    };
    sel.addEventListener('change', sync);
    return { sel, wrap: field(t('assign.person'), sel, { name: 'assignee_id', hint: null }), note,
      pick: () => { const [g, u] = sel.value.split(':').map(Number); return { group: g || null, user: u || null }; } };
  }

  // A panel's form; its id names it for a draft kept over an expired
  // session (the button with data-opens="<id>" opens it again).
  function formShell(id, onSubmit, submitText, ...controls) {
    const form = h('form', { class: 'stack', novalidate: true, id });
    const err = h('p', { class: 'form-error', role: 'alert' });
    put(form, ...controls, err, h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, submitText),
      h('button', { type: 'button', onclick: closePanel }, t('app.cancel'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      try { await onSubmit(form); } finally { btn.disabled = false; }
    });
    return form;
  }

  async function transitionForm(tr) {
    const needs = new Set([...(NEEDS[tr.to] || []), ...tr.requires]);
    const controls = [];
    const note = h('textarea', { name: 'note', rows: '3', required: needs.has('note'), maxlength: String(NOTE_MAX) });
    let code, notes, assignee;
    if (needs.has('resolution_code')) {
      code = select([{ value: '', label: t('app.choose') }, ...RESOLUTION_CODES.map((c) => ({ value: c, label: tOr('res.' + c, c) }))], { name: 'resolution_code', required: true });
      notes = h('textarea', { name: 'resolution_notes', rows: '3', maxlength: String(TEXT_MAX) });
      controls.push(field(t('col.resolution_code'), code, { name: 'resolution_code' }), field(t('col.resolution_notes'), notes, { name: 'resolution_notes' }));
    }
    if (needs.has('assignee_id')) {
      assignee = assignControl(await assigneeGroups(), false);
      controls.push(assignee.wrap, assignee.note);
    }
    if (!needs.has('resolution_code') || !notes) controls.push(field(t(needs.has('note') ? 'ticket.note_required' : 'ticket.note_optional'), note, { name: 'note' }));
    const form = formShell('form-tr-' + tr.to, async (f) => {
      const body = { to: tr.to };
      if (note.value.trim()) body.note = note.value;
      if (code) body.resolution_code = code.value || null;
      if (notes && notes.value.trim()) body.resolution_notes = notes.value;
      const pick = assignee ? assignee.pick() : {};
      if (pick.user) body.assignee_id = pick.user;
      // someone of another group: the ticket moves there with them
      if (pick.user && pick.group !== refId(st.t, 'group')) {
        if (!(await patch({ group_id: pick.group, assignee_id: pick.user }, f))) return;
        if (body.note) await api('POST', `/tickets/${id}/comments`, { body: body.note, internal: true }).then(reload, () => null);
        return;
      }
      try {
        await api('POST', `/tickets/${id}/transitions`, body);
        closePanel();
        toast(t('ticket.moved', { s: statusText(tr.to) }));
        await reload();
      } catch (e) {
        if (e instanceof ApiError && e.code === 'version_conflict') { await showConflict(); return; }
        showFieldError(f, e, e.code === 'invalid_transition' ? t('ticket.bad_transition', { msg: e.message }) : t('err.generic', { msg: e.message }));
      }
    }, trLabel(tr.to), ...controls);
    // a customer sees the words of the button pressed (撤销故障), staff the status it leads to
    openPanel(staff ? t('ticket.move_to', { s: statusText(tr.to) }) : trLabel(tr.to), form);
  }

  async function reassignForm() {
    const pickr = assignControl(await assigneeGroups(), true);
    const form = formShell('form-reassign', (f) => {
      const { group, user } = pickr.pick();
      const body = {};
      if (group && group !== refId(st.t, 'group')) body.group_id = group;
      if (user && user !== refId(st.t, 'assignee')) body.assignee_id = user;
      if (!Object.keys(body).length) { closePanel(); return null; }
      return patch(body, f);
    }, t('ticket.reassign'), pickr.wrap, pickr.note);
    openPanel(t('ticket.reassign'), form);
  }

  function regradeForm() {
    const lvl = select([1, 2, 3].map((n) => ({ value: n, label: faultText(n), selected: n === st.t.fault_level })), { name: 'fault_level' });
    const reason = h('textarea', { name: 'regrade_reason', rows: '3', required: true, maxlength: String(NOTE_MAX) });
    const form = formShell('form-regrade', (f) => patch({ fault_level: Number(lvl.value), regrade_reason: reason.value }, f), t('ticket.regrade'),
      field(t('col.fault_level'), lvl, { name: 'fault_level' }), field(t('ticket.regrade_reason'), reason, { name: 'regrade_reason' }));
    openPanel(t('ticket.regrade'), form);
  }

  async function editForm() {
    const x = st.t;
    const cats = categoryTree(await loadCategories().catch(() => []));
    const title = h('input', { type: 'text', name: 'title', value: x.title || '', maxlength: String(TITLE_MAX), required: true });
    const desc = h('textarea', { name: 'description', rows: '5', maxlength: String(TEXT_MAX) });
    desc.value = x.description || '';
    const lv = (cur) => [1, 2, 3].map((n) => ({ value: n, label: tOr('level.' + n, n), selected: n === cur }));
    const impact = select(lv(x.impact), { name: 'impact' });
    const urgency = select(lv(x.urgency), { name: 'urgency' });
    const channel = select(CHANNELS.map((c) => ({ value: c, label: tOr('channel.' + c, c), selected: c === x.channel })), { name: 'channel' });
    const cat = select([{ value: '', label: t('app.choose') }, ...cats.map((c) => ({ value: c.id, label: '\u3000'.repeat(c.depth) + c.name, selected: c.id === refId(x, 'category') }))], { name: 'category_id' });
    const form = formShell('form-edit', (f) => {
      const body = {};
      if (title.value !== (x.title || '')) body.title = title.value;
      if (desc.value !== (x.description || '')) body.description = desc.value;
      if (Number(impact.value) !== x.impact) body.impact = Number(impact.value);
      if (Number(urgency.value) !== x.urgency) body.urgency = Number(urgency.value);
      if (channel.value !== x.channel) body.channel = channel.value;
      if (cat.value && Number(cat.value) !== refId(x, 'category')) body.category_id = Number(cat.value);
      if (!Object.keys(body).length) { closePanel(); return null; }
      return patch(body, f);
    }, t('app.save'), field(t('col.title'), title, { name: 'title' }), field(t('col.description'), desc, { name: 'description' }),
    field(t('col.category'), cat, { name: 'category_id' }), field(t('col.impact'), impact, { name: 'impact' }),
    field(t('col.urgency'), urgency, { name: 'urgency' }), field(t('col.channel'), channel, { name: 'channel' }));
    openPanel(t('ticket.edit'), form);
  }

  function draw() {
    const x = st.t;
    const keepPanel = !panel.hidden;
    put(clear(root), 
      h('p', { class: 'crumbs' }, h('a', { href: me.role === 'customer' ? '/portal' : '/tickets' }, t(me.role === 'customer' ? 'nav.portal' : 'nav.tickets'))),
      header(x), conflict, actions(x), panel,
      h('div', { class: 'tk-body' },
        h('div', { class: 'tk-main' },
          h('section', { class: 'card desc', 'aria-labelledby': 'desc-h' }, h('h2', { id: 'desc-h' }, t('col.description')),
            h('p', { class: 'body', id: 'tk-desc' }, x.description || t('ticket.no_description'))),
          h('section', { class: 'card', 'aria-labelledby': 'tl-h' }, h('h2', { id: 'tl-h' }, t('ticket.timeline')), timeline()),
          ['closed', 'cancelled', 'rejected'].includes(x.status) && !staff ? null : compose(x)),
        h('aside', { class: 'tk-side card', 'aria-label': t('ticket.fields') }, fieldsList(x))));
    if (!keepPanel) panel.hidden = true;
    document.title = `${x.number || '#' + x.id} ${x.title || ''} · ${t('app.name')}`;
  }

  await load();
  if (!ctx.alive()) return undefined;
  draw();

  // The badges count down in working time on their own (sla.js); the
  // server's answer every 30 s corrects them and brings state changes
  // made by the scheduler. A newer version of the ticket is not taken
  // over here, so that an edit still names the version the user saw.
  const timer = setInterval(async () => {
    if (!Array.isArray(st.t.sla) || !st.t.sla.length || document.hidden) return;
    try {
      const fresh = await fetchTicket();
      if (!ctx.alive()) return;
      if (fresh.version === st.t.version) st.t = fresh;
      const sla = document.getElementById('sla');
      if (sla) refreshBadges(sla, fresh, false, { staff });
    } catch { /* next tick */ }
  }, 30000);
  return () => clearInterval(timer);
}
