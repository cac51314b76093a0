// The one way the UI talks to the server: /api/v1 with the session cookie,
// the CSRF token on every write, JSON in and out, errors as ApiError.
// Accept-Language is the UI's language, so the server's error messages
// (error.message, shown as they come) are in the language on screen.
import { currentLang } from './i18n.js';

let csrfToken = null;
let onUnauthorized = null;

export function setCsrf(token) { csrfToken = token || null; }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.field = e.field || null;
    this.body = body;
    this.retryAfter = null;
  }
}

// api('GET', '/tickets?limit=50'), api('POST', '/tickets', {...}),
// api('PATCH', '/tickets/3', {...}, {ifMatch: 4}),
// api('POST', '/tickets/3/attachments?filename=a.png', blob, {raw: true})
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': currentLang() };
  let payload;
  if (body !== undefined && body !== null) {
    if (opts.raw) {
      payload = body;
      headers['Content-Type'] = opts.contentType || body.type || 'application/octet-stream';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.ifMatch !== undefined) headers['If-Match'] = String(opts.ifMatch);
  Object.assign(headers, opts.headers || {});
  let res;
  try {
    res = await fetch('/api/v1' + path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    const err = new ApiError(0, { error: { code: 'network', message: String(e.message || e) } });
    throw err;
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  if (text) { try { json = JSON.parse(text); } catch { json = null; } }
  if (!res.ok) {
    const err = new ApiError(res.status, json);
    err.retryAfter = res.headers.get('Retry-After');
    if (res.status === 401 && onUnauthorized && !opts.noRedirect) onUnauthorized();
    throw err;
  }
  return json;
}

// Builds a query string from an object, skipping empty values.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    u.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}

// GET a list endpoint, following next_cursor up to max items.
export async function listAll(path, max = 1000) {
  const items = [];
  let cursor = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page = await api('GET', path + sep + 'limit=200' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
    items.push(...(page.items || []));
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return { items, truncated: !!cursor };
}
