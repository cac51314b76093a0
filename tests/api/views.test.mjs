// Saved ticket-list views (/api/v1/me/views): CRUD with versions, the
// query validated as the ticket list's own parameters for the caller,
// names unique per user, at most 50, another user's view a 404, customers
// keeping views for their own list, and nothing written on a rejection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib.mjs';

let srv, eng, eng2, cust;

before(async () => {
  srv = await startServer();
  // the cases below match the English messages (the default is zh-CN)
  srv.headers = { 'Accept-Language': 'en' };
  srv.sql(`INSERT INTO organizations (id, name, created_at, updated_at) VALUES (1, '客户甲', 0, 0);
           INSERT INTO users (login, display_name, role, org_id, created_at, updated_at) VALUES
             ('eng', '工程师', 'engineer', NULL, 0, 0), ('eng2', '工程师二', 'engineer', NULL, 0, 0),
             ('cust', '客户', 'customer', 1, 0, 0);`);
  eng = srv.token('eng');
  eng2 = srv.token('eng2');
  cust = srv.token('cust');
});
after(async () => { await srv.stop(); srv.cleanup(); });

const V = '/api/v1/me/views';
const clear = (login) => srv.sql(`DELETE FROM saved_views WHERE user_id = (SELECT id FROM users WHERE login = '${login}')`);

// A request that must be refused and leave every table as it was.
async function refused(fn, status) {
  const before = srv.snapshot();
  const r = await fn();
  assert.equal(r.status, status, r.text);
  assert.equal(srv.snapshot(), before, 'a rejected request wrote something');
  return r.json.error;
}

test('create, list, apply, rename with If-Match, delete', async () => {
  clear('eng');
  const audit = srv.sql('SELECT COUNT(*) AS n FROM audit_log')[0].n;
  let r = await srv.post(V, { name: '本组 P1', query: '?group=mine&priority=P1,P2&status=new%2Cassigned&q=%E7%A3%81%E7%9B%98' }, { token: eng });
  assert.equal(r.status, 201, r.text);
  const v = r.json;
  assert.equal(v.name, '本组 P1');
  assert.equal(v.query, 'group=mine&priority=P1,P2&status=new%2Cassigned&q=%E7%A3%81%E7%9B%98', 'the leading ? is dropped');
  assert.equal(v.position, 1);
  assert.equal(v.version, 1);
  assert.match(v.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(v.updated_at, v.created_at);

  r = await srv.post(V, { name: '全部', query: '' }, { token: eng });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.position, 2);
  r = await srv.post(V, { name: '置顶', query: 'sort=priority', position: 0 }, { token: eng });
  assert.equal(r.status, 201, r.text);

  r = await srv.get(V, { token: eng });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((x) => x.name), ['置顶', '本组 P1', '全部'], 'position order');
  assert.equal(r.json.next_cursor, null);
  assert.deepEqual(Object.keys(r.json.items[1]).sort(), ['created_at', 'id', 'name', 'position', 'query', 'updated_at', 'version']);

  // what a view holds is a query the list takes as it is
  r = await srv.get('/api/v1/tickets?' + v.query, { token: eng });
  assert.equal(r.status, 200, r.text);

  // PATCH needs the version it read
  let e = await refused(() => srv.patch(`${V}/${v.id}`, { name: '新名字' }, { token: eng }), 428);
  assert.equal(e.field, 'If-Match');
  r = await srv.patch(`${V}/${v.id}`, { name: '本组 P1 与 P2' }, { token: eng, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, '本组 P1 与 P2');
  assert.equal(r.json.query, v.query, 'a field not sent is kept');
  assert.equal(r.json.version, 2);
  e = await refused(() => srv.patch(`${V}/${v.id}`, { query: 'status=closed' }, { token: eng, headers: { 'If-Match': '1' } }), 409);
  assert.equal(e.code, 'version_conflict');
  r = await srv.patch(`${V}/${v.id}`, { query: 'status=closed', position: 9 }, { token: eng, headers: { 'If-Match': '"2"' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.query, 'status=closed');
  assert.equal(r.json.position, 9);
  assert.equal(r.json.name, '本组 P1 与 P2');

  r = await srv.del(`${V}/${v.id}`, { token: eng });
  assert.equal(r.status, 204);
  r = await srv.get(V, { token: eng });
  assert.deepEqual(r.json.items.map((x) => x.name), ['置顶', '全部']);
  await refused(() => srv.del(`${V}/${v.id}`, { token: eng }), 404);
  await refused(() => srv.patch(`${V}/${v.id}`, { name: 'x' }, { token: eng, headers: { 'If-Match': '3' } }), 404);

  // personal preferences are not audited
  assert.equal(srv.sql('SELECT COUNT(*) AS n FROM audit_log')[0].n, audit);
});

test('the query is checked against the ticket list, naming the parameter', async () => {
  clear('eng');
  const cases = [
    ['colour=red', 'colour', /colour is not a parameter of the ticket list/],
    ['status=bogus', 'status', /status must be a list of/],
    ['priority=P9', 'priority', /priority must be a list of: P1, P2, P3, P4/],
    ['sort=sideways', 'sort', /sort must be one of/],
    ['limit=0', 'limit', /limit must be an integer between 1 and 200/],
    ['assignee=nobody', 'assignee', /assignee must be a positive id/],
    ['created_after=yesterday', 'created_after', /ISO 8601/],
    ['sla_state=late', 'sla_state', /sla_state/],
    ['q=%20', 'q', /q has no word/],
    ['status=new&status=closed', 'status', /given twice/],
    ['cursor=abc', 'cursor', /cannot hold it/],
    ['q=%zz', 'q', /bad escape/],
  ];
  for (const [query, parameter, message] of cases) {
    const e = await refused(() => srv.post(V, { name: '坏视图', query }, { token: eng }), 400);
    assert.equal(e.code, 'invalid_field', query);
    assert.equal(e.field, 'query', query);
    assert.equal(e.parameter, parameter, query);
    assert.match(e.message, message, query);
  }
  // the same check on PATCH
  const r = await srv.post(V, { name: '好视图', query: 'type=incident' }, { token: eng });
  assert.equal(r.status, 201, r.text);
  const e = await refused(() => srv.patch(`${V}/${r.json.id}`, { query: 'type=problem' }, { token: eng, headers: { 'If-Match': '1' } }), 400);
  assert.equal(e.parameter, 'type');

  // sizes, types and the body's own fields
  let err = await refused(() => srv.post(V, { name: '长'.repeat(61), query: '' }, { token: eng }), 400);
  assert.equal(err.field, 'name');
  assert.match(err.message, /longer than 60 characters/);
  err = await refused(() => srv.post(V, { name: '', query: '' }, { token: eng }), 400);
  assert.equal(err.field, 'name');
  err = await refused(() => srv.post(V, { name: '   ', query: '' }, { token: eng }), 400);
  assert.equal(err.field, 'name');
  err = await refused(() => srv.post(V, { query: '' }, { token: eng }), 400);
  assert.equal(err.field, 'name');
  err = await refused(() => srv.post(V, { name: '无查询' }, { token: eng }), 400);
  assert.equal(err.field, 'query');
  // 2001 bytes in 667 characters: the cap is in bytes
  err = await refused(() => srv.post(V, { name: '太长', query: 'q=' + '磁'.repeat(666) + 'x' }, { token: eng }), 400);
  assert.equal(err.field, 'query');
  assert.match(err.message, /longer than 2000 bytes/);
  err = await refused(() => srv.post(V, { name: '多余', query: '', colour: 'red' }, { token: eng }), 400);
  assert.equal(err.code, 'unknown_field');
  assert.equal(err.field, 'colour');
  err = await refused(() => srv.post(V, { name: '位置', query: '', position: -1 }, { token: eng }), 400);
  assert.equal(err.field, 'position');
  err = await refused(() => srv.post(V, { name: 7, query: '' }, { token: eng }), 400);
  assert.equal(err.field, 'name');

  // 60 characters of Chinese is fine, and so is a query of exactly 2000 bytes
  const exact = (n) => 'breach_before=2026-01-01T00:00:00.' + '0'.repeat(n - 35) + 'Z';
  assert.equal(exact(2000).length, 2000);
  err = await refused(() => srv.post(V, { name: '视'.repeat(60), query: exact(2001) }, { token: eng }), 400);
  assert.match(err.message, /longer than 2000 bytes/);
  const r2 = await srv.post(V, { name: '视'.repeat(60), query: exact(2000) }, { token: eng });
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r2.json.query, exact(2000));
  // a list parameter's own limits hold in a view too
  err = await refused(() => srv.post(V, { name: '太多状态', query: 'status=' + Array(21).fill('new').join(',') }, { token: eng }), 400);
  assert.equal(err.parameter, 'status');
  assert.match(err.message, /too many items/);
});

test('no query parameters on the views endpoints', async () => {
  let e = await refused(() => srv.get(V + '?limit=5', { token: eng }), 400);
  assert.equal(e.code, 'unknown_field');
  assert.equal(e.field, 'limit');
  e = await refused(() => srv.post(V + '?x=1', { name: 'a', query: '' }, { token: eng }), 400);
  assert.equal(e.field, 'x');
});

test('names are unique per user; a user keeps at most 50', async () => {
  clear('eng'); clear('eng2');
  let r = await srv.post(V, { name: '我的', query: 'status=new' }, { token: eng });
  assert.equal(r.status, 201);
  const first = r.json;
  let e = await refused(() => srv.post(V, { name: '我的', query: 'status=closed' }, { token: eng }), 409);
  assert.equal(e.code, 'conflict');
  assert.equal(e.field, 'name');
  // another user may use the same name
  r = await srv.post(V, { name: '我的', query: 'status=new' }, { token: eng2 });
  assert.equal(r.status, 201);
  // renaming onto a name in use is the same conflict; onto its own name is fine
  r = await srv.post(V, { name: '其他', query: '' }, { token: eng });
  e = await refused(() => srv.patch(`${V}/${r.json.id}`, { name: '我的' }, { token: eng, headers: { 'If-Match': '1' } }), 409);
  assert.equal(e.field, 'name');
  r = await srv.patch(`${V}/${first.id}`, { name: '我的' }, { token: eng, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200, r.text);

  for (let i = 3; i <= 50; i++) {
    r = await srv.post(V, { name: `视图 ${i}`, query: `priority=P${1 + (i % 4)}` }, { token: eng });
    assert.equal(r.status, 201, r.text);
  }
  assert.equal((await srv.get(V, { token: eng })).json.items.length, 50);
  e = await refused(() => srv.post(V, { name: '第 51 个', query: '' }, { token: eng }), 409);
  assert.equal(e.code, 'conflict');
  assert.match(e.message, /50 saved views/);
  // the other user is not held back by this one's views
  r = await srv.post(V, { name: '第二个', query: '' }, { token: eng2 });
  assert.equal(r.status, 201);
  // deleting one makes room again
  assert.equal((await srv.del(`${V}/${first.id}`, { token: eng })).status, 204);
  r = await srv.post(V, { name: '第 51 个', query: '' }, { token: eng });
  assert.equal(r.status, 201, r.text);
});

test("another user's view is not found, and not listed", async () => {
  clear('eng'); clear('eng2');
  const mine = (await srv.post(V, { name: '只属于我', query: 'status=new' }, { token: eng })).json;
  let e = await refused(() => srv.patch(`${V}/${mine.id}`, { name: '抢来的' }, { token: eng2, headers: { 'If-Match': '1' } }), 404);
  assert.equal(e.code, 'not_found');
  e = await refused(() => srv.del(`${V}/${mine.id}`, { token: eng2 }), 404);
  assert.equal(e.code, 'not_found');
  // the same answer as for an id that does not exist
  e = await refused(() => srv.del(`${V}/999999`, { token: eng2 }), 404);
  assert.equal(e.code, 'not_found');
  assert.deepEqual((await srv.get(V, { token: eng2 })).json.items, []);
  assert.deepEqual((await srv.get(V, { token: eng })).json.items.map((x) => x.name), ['只属于我']);
});

test('customers keep views for their own list, without staff-only filters', async () => {
  clear('cust');
  let r = await srv.post(V, { name: '我们未关闭的', query: 'status=new,assigned,in_progress&sort=-updated' }, { token: cust });
  assert.equal(r.status, 201, r.text);
  r = await srv.get('/api/v1/tickets?' + r.json.query, { token: cust });
  assert.equal(r.status, 200, r.text);
  const e = await refused(() => srv.post(V, { name: '故障级别', query: 'fault_level=1' }, { token: cust }), 400);
  assert.equal(e.field, 'query');
  assert.equal(e.parameter, 'fault_level');
  assert.match(e.message, /not a customer filter/);
  // staff may keep the same filter
  r = await srv.post(V, { name: '一级故障', query: 'fault_level=1' }, { token: eng2 });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual((await srv.get(V, { token: cust })).json.items.map((x) => x.name), ['我们未关闭的']);
});

test('a browser session writes with its CSRF token, like every write', async () => {
  srv.sql(`UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE login = 'admin') WHERE login = 'eng2'`);
  const s = await srv.login('eng2', 'admin-pass-123');
  await refused(() => srv.post(V, { name: '无令牌', query: '' }, { session: s, csrf: false }), 403);
  const r = await srv.post(V, { name: '有令牌', query: '' }, { session: s });
  assert.equal(r.status, 201, r.text);
  assert.ok((await srv.get(V, { session: s })).json.items.some((x) => x.name === '有令牌'));
});
