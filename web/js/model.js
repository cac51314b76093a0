// What the UI knows about the records: readable names, badges, shared
// look-up caches. Enum values come from the server; their words from the
// catalogue.
import { h } from './dom.js';
import { tOr } from './i18n.js';
import { api, listAll } from './api.js';

export const STAFF = ['admin', 'manager', 'supervisor', 'engineer'];
export const LEADS = ['admin', 'manager', 'supervisor'];
export const STATUSES = ['new', 'pending_approval', 'approved', 'assigned', 'in_progress', 'pending',
  'reopened', 'resolved', 'closed', 'rejected', 'cancelled'];
export const OPEN_STATUSES = ['new', 'pending_approval', 'approved', 'assigned', 'in_progress', 'pending', 'reopened'];
export const TYPES = ['incident', 'request'];
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];
export const CHANNELS = ['phone', 'email', 'web', 'portal', 'monitoring', 'onsite'];
export const RESOLUTION_CODES = ['fixed', 'workaround', 'no_fault_found', 'duplicate', 'user_error', 'vendor_fixed', 'cancelled_by_user'];
export const ROLES = ['admin', 'manager', 'supervisor', 'engineer', 'customer'];

export const isStaff = (me) => !!me && STAFF.includes(me.role);
export const isLead = (me) => !!me && LEADS.includes(me.role);

// A readable name for a reference on a record: t.assignee_name,
// t.assignee.display_name / .name / .path, or "#id".
export function refName(rec, key) {
  if (!rec) return '—';
  const flat = rec[key + '_name'] ?? rec[key + '_path'];
  if (typeof flat === 'string' && flat) return flat;
  const o = rec[key];
  if (o && typeof o === 'object') return o.display_name || o.path || o.name || (o.id ? '#' + o.id : '—');
  if (typeof o === 'string' && o) return o;
  const id = rec[key + '_id'];
  return id ? '#' + id : '—';
}

export function refId(rec, key) {
  if (!rec) return null;
  if (rec[key + '_id'] !== undefined) return rec[key + '_id'];
  const o = rec[key];
  return o && typeof o === 'object' ? (o.id ?? null) : null;
}

export const priorityText = (p) => (p === null || p === undefined ? '—' : (typeof p === 'number' ? 'P' + p : String(p)));
export const statusText = (s) => tOr('status.' + s, s);
export const typeText = (s) => tOr('type.' + s, s);
export const faultText = (n) => (n ? tOr('fault.' + n, String(n)) : '—');

export function statusBadge(s) {
  return h('span', { class: 'badge st-' + s }, statusText(s));
}
export function priorityBadge(p) {
  const txt = priorityText(p);
  return h('span', { class: 'badge pr-' + txt.toLowerCase() }, txt);
}

// Shared look-ups, fetched once per page load.
const cache = new Map();
export function cached(key, loader) {
  if (!cache.has(key)) cache.set(key, loader().catch((e) => { cache.delete(key); throw e; }));
  return cache.get(key);
}
export function dropCache(key) { cache.delete(key); }

export const loadGroups = () => cached('groups', async () => (await listAll('/groups')).items);
export const loadCategories = () => cached('categories', async () => (await listAll('/categories')).items);
export const loadOrgs = () => cached('orgs', async () => (await listAll('/organizations')).items);
export const loadStaff = () => cached('staff', async () => (await listAll('/users')).items.filter((u) => STAFF.includes(u.role)));
export const loadMatrix = () => cached('matrix', () => api('GET', '/priority-matrix'));

// Categories as a depth-first list with depth, for an indented select.
export function categoryTree(cats, activeOnly = true) {
  const list = cats.filter((c) => !activeOnly || c.active !== false);
  const kids = new Map();
  for (const c of list) {
    const p = c.parent_id || 0;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(c);
  }
  const out = [];
  const walk = (pid, depth) => {
    for (const c of (kids.get(pid) || []).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'))) {
      out.push({ ...c, depth });
      if (depth < 20) walk(c.id, depth + 1);
    }
  };
  walk(0, 0);
  return out;
}

// Priority from the matrix JSON: {matrix:[[1,2,3],...]} (numbers or "P2").
export function matrixPriority(m, impact, urgency) {
  const rows = m && (m.matrix || m.items || m);
  if (!Array.isArray(rows)) return null;
  const row = rows[impact - 1];
  if (!Array.isArray(row)) return null;
  const v = row[urgency - 1];
  return v === undefined ? null : priorityText(v);
}
