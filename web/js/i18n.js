// Message catalogues (web/i18n/<lang>.json) and locale formatting.
// zh-CN is the default; the choice is remembered in localStorage.

export const LANGS = ['zh-CN', 'en'];
const KEY = 'yw.lang';
let lang = 'zh-CN';
let cat = {};
let dtf = null, dtfShort = null;

export function currentLang() { return lang; }

export async function initI18n() {
  let want = null;
  try { want = localStorage.getItem(KEY); } catch { want = null; }
  const l = LANGS.includes(want) ? want : 'zh-CN';
  const res = await fetch(`/i18n/${l}.json`);
  useCatalogue(l, await res.json());
  document.documentElement.lang = lang;
}

// The language and its catalogue (initI18n; tests in Node pass the file).
export function useCatalogue(l, catalogue) {
  lang = l;
  cat = catalogue;
  dtf = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });
  dtfShort = new Intl.DateTimeFormat(lang, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

export function setLang(l) {
  if (!LANGS.includes(l)) return;
  try { localStorage.setItem(KEY, l); } catch { /* private mode: not remembered */ }
}

// t('list.shown', {n: 3}) -> the catalogue's text with {n} filled in.
export function t(key, params) {
  let s = Object.prototype.hasOwnProperty.call(cat, key) ? cat[key] : key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? (params[k] ?? '').toString() : m));
  return s;
}

// t() for a key that may be missing (enum values from the server): the
// raw value when the catalogue has no entry.
export function tOr(key, fallback) {
  return Object.prototype.hasOwnProperty.call(cat, key) ? cat[key] : fallback;
}

// ISO 8601 from the API -> the user's zone, in the language's format.
export function fmtTime(iso, short = false) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return (short ? dtfShort : dtf).format(d);
}

// Minutes -> "2小时5分" / "2 h 5 min".
export function fmtMinutes(min) {
  const m = Math.abs(Math.round(min));
  const d = Math.floor(m / 1440), hh = Math.floor((m % 1440) / 60), mm = m % 60;
  const parts = [];
  if (d) parts.push(t('unit.days', { n: d }));
  if (hh) parts.push(t('unit.hours', { n: hh }));
  if (mm || !parts.length) parts.push(t('unit.minutes', { n: mm }));
  return parts.join(t('unit.sep'));
}

export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}
