// Regression tests for what a review of the API against docs/openapi.yaml
// found: each test is named after the behaviour it pins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from './lib.mjs';

const OPENAPI = new URL('../../docs/openapi.yaml', import.meta.url).pathname;

let srv, admin;
const ids = {};

async function create(path, body, token = admin) {
  const r = await srv.post(path, body, { token });
  assert.equal(r.status, 201, `${path}: ${r.text}`);
  return r.json;
}

const auditCount = (action) => srv.sql(`SELECT COUNT(*) AS n FROM audit_log WHERE action = '${action}'`)[0].n;

before(async () => {
  srv = await startServer();
  admin = srv.token('admin');
  ids.org = (await create('/api/v1/organizations', { name: '华东电力', code: 'HDDL' })).id;
  ids.eng = (await create('/api/v1/users', { login: 'zhang.san', display_name: '张三', role: 'engineer', password: 'password-123' })).id;
  ids.group = (await create('/api/v1/groups', { name: '网络组' })).id;
  ids.cat = (await create('/api/v1/categories', { name: '网络' })).id;
  ids.cal = (await create('/api/v1/calendars', { name: '值班' })).id;
});
after(async () => { await srv.stop(); srv.cleanup(); });

// Every (method, path) of docs/openapi.yaml, and whether it takes a body.
function documentedOperations() {
  const ops = [];
  let path = null;
  for (const line of readFileSync(OPENAPI, 'utf8').split('\n')) {
    let m;
    if ((m = line.match(/^ {2}(\/api\/\S+):$/))) path = m[1];
    else if (/^\S/.test(line)) path = null;
    else if (path && (m = line.match(/^ {4}(get|put|post|patch|delete):$/))) ops.push({ method: m[1].toUpperCase(), path, body: false });
    else if (path && ops.length && line === '      requestBody:') ops[ops.length - 1].body = true;
  }
  return ops;
}

test('every endpoint rejects an unknown query parameter with 400 unknown_field, before anything else', async () => {
  const ops = documentedOperations();
  assert.ok(ops.length >= 40, `found only ${ops.length} operations`);
  // the permission check comes first: a record outside the caller's scope
  // (for an admin: another user's saved view or notification) is 404
  const perms = (await srv.get('/api/v1/permissions', { token: admin })).json;
  const scope = (rt) => perms.permissions.find((p) => p.resource === rt.resource && p.action === rt.action).scope;
  // (an upload in parts is no record of the table's: upload.c finds its owner, after the query check)
  const ownRecord = new Set(perms.routes.filter((rt) => rt.path.includes('{id}') && scope(rt) === 'own' && rt.resource !== 'upload')
    .map((rt) => `${rt.method} ${rt.path}`));
  const before = srv.snapshot();
  for (const op of ops) {
    // ids that exist and ids that do not: the query is checked first either way
    for (const id of [ids.cal, 999999]) {
      const path = op.path.replace('{id}', String(id)).replace('{other_id}', '999998') + '?zz_bogus=1';
      const opts = { token: admin };
      if (op.body) opts.body = {};
      const r = await srv.req(op.method, path, opts);
      if (ownRecord.has(`${op.method} ${op.path}`)) {
        assert.equal(r.status, 404, `${op.method} ${path}: ${r.text}`);
        continue;
      }
      assert.equal(r.status, 400, `${op.method} ${path}: ${r.text}`);
      assert.equal(r.json.error.code, 'unknown_field', `${op.method} ${path}`);
      assert.equal(r.json.error.field, 'zz_bogus', `${op.method} ${path}`);
    }
  }
  // health and login are public: no token needed to be refused
  let r = await srv.get('/api/v1/health?zz_bogus=1');
  assert.equal(r.status, 400);
  r = await srv.post('/api/v1/auth/login?zz_bogus=1', { username: 'admin', password: 'x' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'zz_bogus');
  assert.equal(srv.snapshot(), before);
});

test('version_conflict names If-Match on every record', async () => {
  const t = await create('/api/v1/tickets', { type: 'incident', title: '测试' });
  const cases = [
    [`/api/v1/users/${ids.eng}`, { display_name: '新名' }],
    [`/api/v1/groups/${ids.group}`, { description: 'x' }],
    [`/api/v1/organizations/${ids.org}`, { phone: '021-5555 0000' }],
    [`/api/v1/categories/${ids.cat}`, { name: '网络2' }],
    [`/api/v1/calendars/${ids.cal}`, { description: 'x' }],
    [`/api/v1/tickets/${t.id}`, { title: 'x' }],
  ];
  const before = srv.snapshot();
  for (const [path, body] of cases) {
    const r = await srv.patch(path, body, { token: admin, headers: { 'If-Match': '77' } });
    assert.equal(r.status, 409, path);
    assert.equal(r.json.error.code, 'version_conflict', path);
    assert.equal(r.json.error.field, 'If-Match', path);
  }
  assert.equal(srv.snapshot(), before);
});

test('a calendar PATCH that changes nothing keeps the version and writes no audit row; an empty one is a 400', async () => {
  const path = `/api/v1/calendars/${ids.cal}`;
  const cal = (await srv.get(path, { token: admin })).json;
  const before = srv.snapshot();
  const audits = auditCount('calendar.update');
  let r = await srv.patch(path, {}, { token: admin, headers: { 'If-Match': String(cal.version) } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.code, 'invalid_field');
  assert.match(r.json.error.message, /没有要修改的内容/);
  // the same values again: 200 with the record as it was
  r = await srv.patch(path, { name: cal.name, description: cal.description, timezone: cal.timezone, windows: cal.windows },
    { token: admin, headers: { 'If-Match': String(cal.version) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, cal.version);
  assert.deepEqual(r.json, cal);
  assert.equal(srv.snapshot(), before);
  assert.equal(auditCount('calendar.update'), audits);
  // a real change bumps the version, writes and audits only what changed
  r = await srv.patch(path, { name: cal.name, description: '夜班' }, { token: admin, headers: { 'If-Match': String(cal.version) } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, cal.version + 1);
  assert.equal(auditCount('calendar.update'), audits + 1);
  const detail = JSON.parse(srv.sql("SELECT detail FROM audit_log WHERE action = 'calendar.update' ORDER BY id DESC LIMIT 1")[0].detail);
  assert.deepEqual(detail, { description: '夜班' });
});

test('the priority matrix round-trips: what GET answers, PUT takes', async () => {
  let r = await srv.get('/api/v1/priority-matrix', { token: admin });
  assert.equal(r.status, 200);
  const got = r.json;
  assert.deepEqual(Object.keys(got).sort(), ['impact', 'matrix', 'priorities']);
  // labels that differ from GET's are refused and change nothing
  const before = srv.snapshot();
  for (const [key, value] of [['impact', ['1', '2', '4']], ['priorities', ['P1', 'P2', 'P3']], ['impact', null]]) {
    r = await srv.put('/api/v1/priority-matrix', { ...got, [key]: value }, { token: admin });
    assert.equal(r.status, 400, key);
    assert.equal(r.json.error.code, 'invalid_field');
    assert.equal(r.json.error.field, key);
  }
  r = await srv.put('/api/v1/priority-matrix', { ...got, colour: 'red' }, { token: admin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'unknown_field');
  assert.equal(srv.snapshot(), before);
  // GET, edit, PUT the same object
  const edited = structuredClone(got);
  edited.matrix[2][2] = edited.matrix[2][2] === 4 ? 3 : 4;
  r = await srv.put('/api/v1/priority-matrix', edited, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, edited);
  // the labels may still be left out
  r = await srv.put('/api/v1/priority-matrix', { matrix: got.matrix }, { token: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, got);
});

test('password length counts characters, not bytes', async () => {
  const seven = '密码安全很重要';                 // 7 characters, 21 bytes
  const eight = '密码安全很重要的';               // 8 characters, 24 bytes
  const max = '密'.repeat(128);                  // 384 bytes
  let r = await srv.post('/api/v1/users', { login: 'pw.short', display_name: 'x', role: 'engineer', password: seven }, { token: admin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'password');
  assert.match(r.json.error.message, /密码至少需要 8 个字符/);
  r = await srv.post('/api/v1/users', { login: 'pw.long', display_name: 'x', role: 'engineer', password: max + '密' }, { token: admin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'password');
  assert.match(r.json.error.message, /密码超过 128 个字符/);
  await create('/api/v1/users', { login: 'pw.eight', display_name: 'x', role: 'engineer', password: eight });
  await create('/api/v1/users', { login: 'pw.max', display_name: 'x', role: 'engineer', password: max });
  await srv.login('pw.eight', eight);
  await srv.login('pw.max', max);
});

test('a missing calendar is a 404 on import and PUT days, whatever the body', async () => {
  const eng = srv.token('zhang.san');
  const before = srv.snapshot();
  let r = await srv.req('POST', '/api/v1/calendars/999999/import',
    { token: admin, body: 'not a calendar', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 404, r.text);
  r = await srv.req('POST', '/api/v1/calendars/999999/import',
    { token: admin, body: 'not a calendar', headers: { 'Content-Type': 'text/calendar' } });
  assert.equal(r.status, 404, r.text);
  r = await srv.put('/api/v1/calendars/999999/days?year=2027', { days: [{ date: 'bogus' }] },
    { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 404, r.text);
  // permission before the file too
  r = await srv.req('POST', `/api/v1/calendars/${ids.cal}/import`,
    { token: eng, body: 'not a calendar', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 403, r.text);
  // an existing calendar still validates the file
  r = await srv.req('POST', `/api/v1/calendars/${ids.cal}/import`,
    { token: admin, body: 'not a calendar', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 400, r.text);
  assert.equal(srv.snapshot(), before);
});

test('a bearer token records last_used_at, at most once a minute', async () => {
  await create('/api/v1/users', { login: 'tok.user', display_name: 'x', role: 'engineer', password: 'password-123' });
  const t = srv.token('tok.user');
  const row = () => srv.sql("SELECT t.id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.login = 'tok.user'")[0];
  assert.equal(row().last_used_at, null);
  const t0 = Math.floor(Date.now() / 1000);
  // a GET runs in a read transaction: the write happens before it
  let r = await srv.get('/api/v1/me', { token: t });
  assert.equal(r.status, 200);
  const first = row().last_used_at;
  assert.ok(first >= t0 - 1 && first <= t0 + 5, `last_used_at ${first}`);
  // within the minute: not written again
  srv.sql(`UPDATE api_tokens SET last_used_at = ${first - 30} WHERE id = ${row().id}`);
  r = await srv.get('/api/v1/me', { token: t });
  assert.equal(r.status, 200);
  assert.equal(row().last_used_at, first - 30);
  // older than a minute: written, on a write request too
  srv.sql(`UPDATE api_tokens SET last_used_at = ${first - 120} WHERE id = ${row().id}`);
  r = await srv.post('/api/v1/tokens', { name: 'second' }, { token: t });
  assert.equal(r.status, 201, r.text);
  assert.ok(row().last_used_at >= first);
  // and the API shows it
  r = await srv.get('/api/v1/tokens', { token: t });
  const mine = r.json.items.find((i) => i.id === row().id);
  assert.match(mine.last_used_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // a revoked or unknown token writes nothing
  r = await srv.get('/api/v1/me', { token: 'yw_unknown' });
  assert.equal(r.status, 401);
});

test('a wrong current_password is throttled like a login: 429 after 5 failures, audited once', async () => {
  const u = await create('/api/v1/users', { login: 'pw.guess', display_name: 'x', role: 'engineer', password: 'password-123' });
  const s = await srv.login('pw.guess', 'password-123');
  const path = `/api/v1/users/${u.id}/password`;
  const failed = auditCount('user.password.failed');
  const throttled = auditCount('user.password.throttled');
  for (let i = 0; i < 5; i++) {
    const r = await srv.post(path, { password: 'new-password-1', current_password: `guess-${i}` }, { session: s });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, 'current_password');
  }
  assert.equal(auditCount('user.password.failed'), failed + 5);
  // the failure that reached the limit audited the throttle; refusals write nothing
  assert.equal(auditCount('user.password.throttled'), throttled + 1);
  const before = srv.snapshot();
  // even the right password is refused now, with Retry-After
  let r = await srv.post(path, { password: 'new-password-1', current_password: 'password-123' }, { session: s });
  assert.equal(r.status, 429, r.text);
  assert.equal(r.json.error.code, 'too_many_requests');
  const ra = Number(r.headers.get('retry-after'));
  assert.ok(ra > 0 && ra <= 900, `retry-after ${ra}`);
  assert.equal(auditCount('user.password.throttled'), throttled + 1);
  assert.equal(srv.snapshot(), before);
  // an admin may still set it (no current_password to guess)
  r = await srv.post(path, { password: 'admin-set-pass' }, { token: admin });
  assert.equal(r.status, 204, r.text);
  // once the window has passed, the right password works and clears the count
  srv.sql(`UPDATE login_failures SET first_at = first_at - 1000 WHERE key = 'pw:${u.id}'`);
  const s2 = await srv.login('pw.guess', 'admin-set-pass');
  r = await srv.post(path, { password: 'new-password-2', current_password: 'wrong' }, { session: s2 });
  assert.equal(r.status, 400);
  r = await srv.post(path, { password: 'new-password-2', current_password: 'admin-set-pass' }, { session: s2 });
  assert.equal(r.status, 204, r.text);
  assert.deepEqual(srv.sql(`SELECT key FROM login_failures WHERE key = 'pw:${u.id}'`), []);
});
