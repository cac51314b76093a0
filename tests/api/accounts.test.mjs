// Users, groups, organisations, categories and the audit log: each role's
// access, customer isolation, validation, If-Match, and the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, BIN } from './lib.mjs';

let srv, admin;
const ids = {};   // records made in before()
const tok = {};   // bearer tokens per role

async function create(path, body, token = admin) {
  const r = await srv.post(path, body, { token });
  assert.equal(r.status, 201, `${path}: ${r.text}`);
  return r.json;
}

before(async () => {
  srv = await startServer();
  admin = srv.token('admin');
  tok.admin = admin;
  ids.orgA = (await create('/api/v1/organizations', { name: '华东电力', code: 'HDDL', phone: '021-5555 0000' })).id;
  ids.orgB = (await create('/api/v1/organizations', { name: '西南银行', code: 'XNYH' })).id;
  ids.sup = (await create('/api/v1/users', { login: 'zhou.sup', display_name: '周主管', role: 'supervisor', password: 'password-123' })).id;
  ids.group = (await create('/api/v1/groups', { name: '网络组', description: '网络与安全', supervisor_id: ids.sup, member_ids: [ids.sup] })).id;
  ids.mgr = (await create('/api/v1/users', { login: 'wu.mgr', display_name: '吴经理', role: 'manager', password: 'password-123' })).id;
  ids.eng = (await create('/api/v1/users', { login: 'zhang.san', display_name: '张三', role: 'engineer', password: 'password-123', phone: '138 1234 5678', email: 'zhangsan@example.com', group_ids: [ids.group] })).id;
  ids.custA = (await create('/api/v1/users', { login: 'li.si', display_name: '李四', role: 'customer', organization_id: ids.orgA, password: 'password-123' })).id;
  ids.custA2 = (await create('/api/v1/users', { login: 'wang.wu', display_name: '王五', role: 'customer', organization_id: ids.orgA, password: 'password-123' })).id;
  ids.custB = (await create('/api/v1/users', { login: 'zhao.liu', display_name: '赵六', role: 'customer', organization_id: ids.orgB, password: 'password-123' })).id;
  ids.catRoot = (await create('/api/v1/categories', { name: '网络', default_group_id: ids.group })).id;
  ids.catVpn = (await create('/api/v1/categories', { name: 'VPN', parent_id: ids.catRoot, requires_approval: true })).id;
  ids.catOld = (await create('/api/v1/categories', { name: '旧分类', active: false })).id;
  tok.manager = srv.token('wu.mgr');
  tok.supervisor = srv.token('zhou.sup');
  tok.engineer = srv.token('zhang.san');
  tok.customer = srv.token('li.si');
});
after(async () => { await srv.stop(); srv.cleanup(); });

// The access table of the brief: status per role for each request.
const READS = [
  // [path fn, admin, manager, supervisor, engineer, customer]
  [() => '/api/v1/users', 200, 200, 200, 200, 200],
  [() => `/api/v1/users/${ids.eng}`, 200, 200, 200, 200, 404],
  [() => `/api/v1/users/${ids.custA2}`, 200, 200, 200, 200, 200],
  [() => '/api/v1/groups', 200, 200, 200, 200, 403],
  [() => `/api/v1/groups/${ids.group}`, 200, 200, 200, 200, 403],
  [() => '/api/v1/organizations', 200, 200, 200, 200, 200],
  [() => `/api/v1/organizations/${ids.orgA}`, 200, 200, 200, 200, 200],
  [() => `/api/v1/organizations/${ids.orgB}`, 200, 200, 200, 200, 404],
  [() => `/api/v1/organizations/${ids.orgA}/contacts`, 200, 200, 200, 200, 200],
  [() => `/api/v1/organizations/${ids.orgB}/contacts`, 200, 200, 200, 200, 404],
  [() => '/api/v1/categories', 200, 200, 200, 200, 200],
  [() => `/api/v1/categories/${ids.catVpn}`, 200, 200, 200, 200, 200],
  [() => `/api/v1/categories/${ids.catOld}`, 200, 200, 200, 200, 404],
  [() => '/api/v1/audit', 200, 200, 403, 403, 403],
  [() => '/api/v1/me', 200, 200, 200, 200, 200],
  [() => '/api/v1/tokens', 200, 200, 200, 200, 200],
];
const ROLES = ['admin', 'manager', 'supervisor', 'engineer', 'customer'];

test('each role reads what the access table allows', async () => {
  for (const [path, ...want] of READS) {
    for (let i = 0; i < ROLES.length; i++) {
      const r = await srv.get(path(), { token: tok[ROLES[i]] });
      assert.equal(r.status, want[i], `${ROLES[i]} GET ${path()}: ${r.text}`);
    }
  }
});

test('only an admin writes users, groups, organisations and categories; refusals write nothing', async () => {
  const writes = [
    ['POST', () => '/api/v1/users', { login: 'new.one', display_name: '新人', role: 'engineer', password: 'password-123' }],
    ['PATCH', () => `/api/v1/users/${ids.custA2}`, { display_name: '改名' }],
    ['POST', () => '/api/v1/groups', { name: '新组' }],
    ['PATCH', () => `/api/v1/groups/${ids.group}`, { name: '改组' }],
    ['POST', () => '/api/v1/organizations', { name: '新单位' }],
    ['PATCH', () => `/api/v1/organizations/${ids.orgA}`, { note: '改' }],
    ['POST', () => '/api/v1/categories', { name: '新分类' }],
    ['PATCH', () => `/api/v1/categories/${ids.catVpn}`, { name: '改分类' }],
    ['POST', () => `/api/v1/users/${ids.custA2}/password`, { password: 'taken-over-1' }],
  ];
  const before = srv.snapshot();
  for (const role of ['manager', 'supervisor', 'engineer', 'customer']) {
    for (const [m, path, body] of writes) {
      const r = await srv.req(m, path(), { token: tok[role], body, headers: { 'If-Match': '1' } });
      assert.equal(r.status, 403, `${role} ${m} ${path()}: ${r.text}`);
      assert.equal(r.json.error.code, 'forbidden');
    }
  }
  // a customer asking to change another organisation's records learns nothing
  let r = await srv.patch(`/api/v1/users/${ids.custB}`, { display_name: 'x' }, { token: tok.customer, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 404);
  r = await srv.patch(`/api/v1/organizations/${ids.orgB}`, { note: 'x' }, { token: tok.customer, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 404);
  assert.equal(srv.snapshot(), before);
});

test('a customer sees only its own organisation', async () => {
  let r = await srv.get('/api/v1/users', { token: tok.customer });
  assert.deepEqual(r.json.items.map((u) => u.login).sort(), ['li.si', 'wang.wu']);
  r = await srv.get(`/api/v1/users/${ids.custB}`, { token: tok.customer });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
  r = await srv.get(`/api/v1/users?organization=${ids.orgB}`, { token: tok.customer });
  assert.deepEqual(r.json.items, []);
  r = await srv.get('/api/v1/organizations', { token: tok.customer });
  assert.deepEqual(r.json.items.map((o) => o.id), [ids.orgA]);
  r = await srv.get(`/api/v1/organizations/${ids.orgA}/contacts`, { token: tok.customer });
  assert.deepEqual(r.json.items.map((u) => u.login).sort(), ['li.si', 'wang.wu']);
  r = await srv.get('/api/v1/me', { token: tok.customer });
  assert.equal(r.json.organization_id, ids.orgA);
  assert.deepEqual(r.json.groups, []);
  // active categories only
  r = await srv.get('/api/v1/categories', { token: tok.customer });
  assert.ok(!r.json.items.some((c) => c.id === ids.catOld));
  r = await srv.get('/api/v1/categories', { token: tok.engineer });
  assert.ok(r.json.items.some((c) => c.id === ids.catOld));
});

test('records carry the documented fields and never a password hash', async () => {
  let r = await srv.get(`/api/v1/users/${ids.eng}`, { token: tok.engineer });
  assert.deepEqual(Object.keys(r.json).sort(), ['created_at', 'disabled', 'display_name', 'email', 'group_ids',
    'id', 'login', 'organization_id', 'phone', 'role', 'updated_at', 'version']);
  assert.deepEqual(r.json.group_ids, [ids.group]);
  assert.match(r.json.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(!r.text.includes('argon2'));
  r = await srv.get(`/api/v1/groups/${ids.group}`, { token: tok.engineer });
  assert.deepEqual(r.json.member_ids, [ids.sup, ids.eng]);
  assert.equal(r.json.supervisor_id, ids.sup);
  r = await srv.get(`/api/v1/categories/${ids.catVpn}`, { token: tok.engineer });
  assert.equal(r.json.path, '网络 / VPN');
  assert.equal(r.json.parent_id, ids.catRoot);
  assert.equal(r.json.requires_approval, true);
  r = await srv.get(`/api/v1/organizations/${ids.orgA}`, { token: tok.engineer });
  assert.equal(r.json.code, 'HDDL');
  assert.equal(r.json.active, true);
  assert.equal(r.json.version, 1);
});

test('staff find requesters with ?q= by login, name, phone or email, and filter users', async () => {
  const q = async (qs) => (await srv.get(`/api/v1/users?${qs}`, { token: tok.engineer })).json.items.map((u) => u.login);
  assert.deepEqual(await q('q=' + encodeURIComponent('张')), ['zhang.san']);
  assert.deepEqual(await q('q=1234'), ['zhang.san']);
  assert.deepEqual(await q('q=ZHANGSAN%40example'), ['zhang.san']);
  assert.deepEqual(await q('q=li.si'), ['li.si']);
  assert.deepEqual(await q('q=%25'), []);
  assert.deepEqual(await q('role=customer'), ['li.si', 'wang.wu', 'zhao.liu']);
  assert.deepEqual(await q(`organization=${ids.orgB}`), ['zhao.liu']);
  assert.deepEqual(await q(`group=${ids.group}`), ['zhou.sup', 'zhang.san']);
  assert.deepEqual(await q('disabled=true'), []);
  let r = await srv.get('/api/v1/users?role=boss', { token: tok.engineer });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'role');
  r = await srv.get('/api/v1/users?color=red', { token: tok.engineer });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'unknown_field');
  r = await srv.get('/api/v1/users?disabled=maybe', { token: tok.engineer });
  assert.equal(r.json.error.field, 'disabled');
});

test('lists page with limit and an opaque cursor; a bad cursor is a 400', async () => {
  const seen = [];
  let cursor = null, pages = 0;
  do {
    const r = await srv.get(`/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length <= 2);
    seen.push(...r.json.items.map((u) => u.id));
    cursor = r.json.next_cursor;
    pages++;
  } while (cursor && pages < 20);
  const all = srv.sql('SELECT id FROM users ORDER BY id').map((x) => x.id);
  assert.deepEqual(seen, all);
  assert.equal(pages, Math.ceil(all.length / 2));
  for (const bad of ['zzz!', 'YWJj', '']) {
    const r = await srv.get(`/api/v1/users?cursor=${bad}`, { token: admin });
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.error.field, 'cursor');
  }
  for (const bad of ['0', '201', 'x']) {
    const r = await srv.get(`/api/v1/organizations?limit=${bad}`, { token: admin });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, 'limit');
  }
});

test('user validation names the field at fault and writes nothing', async () => {
  const base = { login: 'valid.login', display_name: '有效', role: 'engineer', password: 'password-123' };
  const cases = [
    [{ login: 'bad login' }, 'login'],
    [{ login: '张三' }, 'login'],
    [{ login: 'x'.repeat(65) }, 'login'],
    [{ display_name: '' }, 'display_name'],
    [{ display_name: 'x'.repeat(101) }, 'display_name'],
    [{ email: 'not-an-email' }, 'email'],
    [{ email: 'a@b' }, 'email'],
    [{ phone: 'call me' }, 'phone'],
    [{ role: 'boss' }, 'role'],
    [{ role: undefined }, 'role'],
    [{ password: 'short' }, 'password'],
    [{ password: 'x'.repeat(129) }, 'password'],
    [{ role: 'customer' }, 'organization_id'],
    [{ role: 'customer', organization_id: 999 }, 'organization_id'],
    [{ organization_id: ids.orgA }, 'organization_id'],
    [{ group_ids: [999] }, 'group_ids'],
    [{ role: 'customer', organization_id: ids.orgA, group_ids: [ids.group] }, 'group_ids'],
    [{ group_ids: 'x' }, 'group_ids'],
  ];
  const before = srv.snapshot();
  for (const [change, field] of cases) {
    const body = { ...base, ...change };
    const r = await srv.post('/api/v1/users', body, { token: admin });
    assert.equal(r.status, 400, `${JSON.stringify(change)}: ${r.text}`);
    assert.equal(r.json.error.code, 'invalid_field');
    assert.equal(r.json.error.field, field, JSON.stringify(change));
  }
  let r = await srv.post('/api/v1/users', { ...base, shoe_size: 42 }, { token: admin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'unknown_field');
  assert.equal(r.json.error.field, 'shoe_size');
  // logins are unique regardless of case
  r = await srv.post('/api/v1/users', { ...base, login: 'Zhang.San' }, { token: admin });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'conflict');
  assert.equal(r.json.error.field, 'login');
  assert.equal(srv.snapshot(), before);
});

test('PATCH needs If-Match: missing is 428, stale is 409, current bumps the version', async () => {
  const u = await create('/api/v1/users', { login: 'patch.me', display_name: '改我', role: 'engineer', password: 'password-123' });
  const path = `/api/v1/users/${u.id}`;
  const before = srv.snapshot();
  let r = await srv.patch(path, { display_name: '新名' }, { token: admin });
  assert.equal(r.status, 428);
  assert.equal(r.json.error.code, 'precondition_required');
  r = await srv.patch(path, { display_name: '新名' }, { token: admin, headers: { 'If-Match': '7' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'version_conflict');
  r = await srv.patch(path, { login: 'renamed' }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'login');
  r = await srv.patch(path, { role: 'customer' }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'organization_id');
  assert.equal(srv.snapshot(), before);

  r = await srv.patch(path, { display_name: '新名', email: 'new@example.cn', group_ids: [ids.group] },
    { token: admin, headers: { 'If-Match': '"1"' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.version, 2);
  assert.equal(r.json.display_name, '新名');
  assert.deepEqual(r.json.group_ids, [ids.group]);
  r = await srv.patch(path, { email: null, group_ids: [] }, { token: admin, headers: { 'If-Match': '2' } });
  assert.equal(r.json.email, null);
  assert.deepEqual(r.json.group_ids, []);
  // staff → customer moves the user into an organisation
  r = await srv.patch(path, { role: 'customer', organization_id: ids.orgB }, { token: admin, headers: { 'If-Match': '3' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.organization_id, ids.orgB);
  r = await srv.patch(path, { role: 'engineer' }, { token: admin, headers: { 'If-Match': '4' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'organization_id');
});

test('role changes are audited with old and new role; the last admin stays', async () => {
  const u = await create('/api/v1/users', { login: 'promote.me', display_name: '提拔', role: 'engineer', password: 'password-123' });
  let r = await srv.patch(`/api/v1/users/${u.id}`, { role: 'supervisor' }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.role, 'supervisor');
  r = await srv.get(`/api/v1/audit?action=user.role&target_id=${u.id}`, { token: tok.manager });
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 1);
  const e = r.json.items[0];
  assert.equal(e.actor_login, 'admin');
  assert.equal(e.target_type, 'user');
  assert.deepEqual([e.detail.old, e.detail.new], ['engineer', 'supervisor']);
  assert.equal(e.ip, '127.0.0.1');

  // a group's supervisor must keep a role that may supervise
  r = await srv.patch(`/api/v1/users/${ids.sup}`, { role: 'engineer' }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'role');
  // the only admin can be neither demoted nor disabled
  const me = (await srv.get('/api/v1/me', { token: admin })).json;
  r = await srv.patch(`/api/v1/users/${me.id}`, { role: 'manager' }, { token: admin, headers: { 'If-Match': String(me.version) } });
  assert.equal(r.status, 409);
  r = await srv.patch(`/api/v1/users/${me.id}`, { disabled: true }, { token: admin, headers: { 'If-Match': String(me.version) } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'disabled');
});

test('groups: unique names, supervisor and member rules, If-Match', async () => {
  let r = await srv.post('/api/v1/groups', { name: '网络组' }, { token: admin });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'name');
  r = await srv.post('/api/v1/groups', { name: '主机组', supervisor_id: ids.eng }, { token: admin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'supervisor_id');
  r = await srv.post('/api/v1/groups', { name: '主机组', member_ids: [ids.custA] }, { token: admin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'member_ids');
  r = await srv.post('/api/v1/groups', { name: '主机组', member_ids: [ids.eng, ids.mgr], supervisor_id: ids.mgr }, { token: admin });
  assert.equal(r.status, 201);
  const g = r.json;
  assert.deepEqual(g.member_ids, [ids.mgr, ids.eng]);
  r = await srv.patch(`/api/v1/groups/${g.id}`, { member_ids: [ids.eng] }, { token: admin, headers: { 'If-Match': '2' } });
  assert.equal(r.status, 409);
  r = await srv.patch(`/api/v1/groups/${g.id}`, { member_ids: [ids.eng], description: '服务器' }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.member_ids, [ids.eng]);
  assert.equal(r.json.version, 2);
  // the engineer's record shows both groups now
  r = await srv.get(`/api/v1/users/${ids.eng}`, { token: admin });
  assert.deepEqual(r.json.group_ids, [ids.group, g.id]);
  const a = await srv.get(`/api/v1/audit?target_type=group&target_id=${g.id}`, { token: admin });
  assert.deepEqual(a.json.items.map((x) => x.action), ['group.update', 'group.create']);
  assert.deepEqual(a.json.items[0].detail.changes.member_ids, { old: [ids.mgr, ids.eng], new: [ids.eng] });
});

test('organisations: unique name and code, code format, PATCH', async () => {
  let r = await srv.post('/api/v1/organizations', { name: '华东电力' }, { token: admin });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'name');
  r = await srv.post('/api/v1/organizations', { name: '另一家', code: 'hddl' }, { token: admin });
  assert.equal(r.status, 201, 'codes are case-sensitive');
  r = await srv.post('/api/v1/organizations', { name: '第三家', code: 'HDDL' }, { token: admin });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'code');
  r = await srv.post('/api/v1/organizations', { name: '第三家', code: 'HD DL' }, { token: admin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'code');
  r = await srv.post('/api/v1/organizations', { name: '第三家', email: 'nope' }, { token: admin });
  assert.equal(r.json.error.field, 'email');
  r = await srv.post('/api/v1/organizations', { name: '' }, { token: admin });
  assert.equal(r.json.error.field, 'name');
  r = await srv.post('/api/v1/organizations', { name: '第三家', address: '上海市浦东新区', note: '重点客户\n7x24' }, { token: admin });
  assert.equal(r.status, 201);
  const o = r.json;
  r = await srv.patch(`/api/v1/organizations/${o.id}`, { active: false, code: 'DSJ' }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.active, false);
  assert.equal(r.json.code, 'DSJ');
  assert.equal(r.json.address, '上海市浦东新区');
  r = await srv.get('/api/v1/organizations?active=false', { token: tok.engineer });
  assert.deepEqual(r.json.items.map((x) => x.id), [o.id]);
  r = await srv.get(`/api/v1/organizations?q=${encodeURIComponent('西南')}`, { token: tok.engineer });
  assert.deepEqual(r.json.items.map((x) => x.id), [ids.orgB]);
});

test('categories: sibling-unique names, no cycles, paths follow moves', async () => {
  let r = await srv.post('/api/v1/categories', { name: 'VPN', parent_id: ids.catRoot }, { token: admin });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.field, 'name');
  r = await srv.post('/api/v1/categories', { name: 'VPN' }, { token: admin });
  assert.equal(r.status, 201, 'the same name at another level is fine');
  const topVpn = r.json;
  r = await srv.post('/api/v1/categories', { name: 'x', parent_id: 9999 }, { token: admin });
  assert.equal(r.json.error.field, 'parent_id');
  r = await srv.post('/api/v1/categories', { name: 'x', default_group_id: 9999 }, { token: admin });
  assert.equal(r.json.error.field, 'default_group_id');
  r = await srv.post('/api/v1/categories', { name: '账号', parent_id: ids.catVpn }, { token: admin });
  assert.equal(r.status, 201);
  const leaf = r.json;
  assert.equal(leaf.path, '网络 / VPN / 账号');
  const before = srv.snapshot();
  for (const p of [ids.catRoot, leaf.id]) {
    const cur = (await srv.get(`/api/v1/categories/${ids.catRoot}`, { token: admin })).json;
    r = await srv.patch(`/api/v1/categories/${ids.catRoot}`, { parent_id: p }, { token: admin, headers: { 'If-Match': String(cur.version) } });
    assert.equal(r.status, 400, `cycle via ${p}`);
    assert.equal(r.json.error.field, 'parent_id');
  }
  assert.equal(srv.snapshot(), before);
  // move VPN to the top level: it clashes with the other top-level VPN
  r = await srv.patch(`/api/v1/categories/${ids.catVpn}`, { parent_id: null }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 409);
  r = await srv.patch(`/api/v1/categories/${topVpn.id}`, { name: '远程接入', parent_id: ids.catRoot }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.path, '网络 / 远程接入');
  r = await srv.patch(`/api/v1/categories/${ids.catRoot}`, { name: '网络服务' }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200);
  r = await srv.get(`/api/v1/categories/${leaf.id}`, { token: tok.customer });
  assert.equal(r.json.path, '网络服务 / VPN / 账号');
});

test('the audit log: managers and admins read it, newest first, with filters', async () => {
  let r = await srv.get('/api/v1/audit?limit=5', { token: tok.manager });
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 5);
  const idsDesc = r.json.items.map((x) => x.id);
  assert.deepEqual(idsDesc, [...idsDesc].sort((a, b) => b - a));
  assert.ok(r.json.next_cursor);
  const next = await srv.get(`/api/v1/audit?limit=5&cursor=${r.json.next_cursor}`, { token: tok.manager });
  assert.ok(next.json.items[0].id < idsDesc[4]);
  r = await srv.get(`/api/v1/audit?action=user.create&target_id=${ids.eng}`, { token: admin });
  assert.equal(r.json.items.length, 1);
  assert.deepEqual(r.json.items[0].detail, { login: 'zhang.san', role: 'engineer' });
  r = await srv.get('/api/v1/audit?actor=system&action=token.create', { token: admin });
  assert.ok(r.json.items.length >= 5, 'CLI tokens are made by the system');
  assert.ok(r.json.items.every((x) => x.actor_id === null));
  r = await srv.get('/api/v1/audit?actor=admin&action=organization.create', { token: admin });
  assert.ok(r.json.items.length >= 2);
  assert.ok(r.json.items.every((x) => x.actor_login === 'admin'));
  r = await srv.get('/api/v1/audit?actor=nobody-at-all', { token: admin });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'actor');
  for (const role of ['supervisor', 'engineer', 'customer']) {
    r = await srv.get('/api/v1/audit', { token: tok[role] });
    assert.equal(r.status, 403);
  }
});

test('CLI: user add, list, passwd and disable', async () => {
  // srv.cli() has no stdin, so run the binary for --password-stdin
  let out = execFileSync(BIN, ['user', 'add', 'cli.eng', '--name', '孙七', '--role', 'engineer', '--phone', '139 0000 1111',
    '--group', '网络组', '--password-stdin', '--db', srv.db],
  { encoding: 'utf8', input: 'cli-password-1\n', env: { ...process.env, YUNWEI_PASSWORD: 'not-this-one' } });
  assert.match(out, /created user cli\.eng/);
  const s = await srv.login('cli.eng', 'cli-password-1');
  assert.deepEqual(s.user.group_ids, [ids.group]);

  out = srv.cli(['user', 'add', 'cli.cust', '--name', '客户甲', '--role', 'customer', '--org', 'XNYH'],
    { env: { YUNWEI_PASSWORD: 'env-password-1' } });
  assert.match(out, /created user cli\.cust/);
  const c = await srv.login('cli.cust', 'env-password-1');
  assert.equal(c.user.organization_id, ids.orgB);

  out = srv.cli(['user', 'add', 'cli.gen', '--name', '生成', '--role', 'manager'], { env: { YUNWEI_PASSWORD: '' } });
  const pw = out.match(/password: (\S+)/)[1];
  assert.equal((await srv.login('cli.gen', pw)).user.role, 'manager');

  out = srv.cli(['user', 'list']);
  assert.match(out, /^LOGIN\s+NAME\s+ROLE\s+ORG\s+GROUPS\s+DISABLED/);
  assert.match(out, /cli\.eng\s+孙七\s+engineer\s+-\s+网络组\s+no/);
  assert.match(out, /cli\.cust\s+客户甲\s+customer\s+西南银行/);
  const list = JSON.parse(srv.cli(['user', 'list', '--json']));
  assert.ok(list.some((u) => u.login === 'cli.eng' && u.phone === '139 0000 1111'));

  out = srv.cli(['user', 'passwd', 'cli.eng'], { env: { YUNWEI_PASSWORD: 'changed-pass-2' } });
  assert.match(out, /password of cli\.eng changed/);
  assert.equal((await srv.get('/api/v1/me', { session: s })).status, 401);
  const s2 = await srv.login('cli.eng', 'changed-pass-2');

  srv.cli(['user', 'disable', 'cli.eng']);
  assert.equal((await srv.get('/api/v1/me', { session: s2 })).status, 401);
  const actions = srv.sql("SELECT action, actor_id FROM audit_log WHERE detail LIKE '%cli.eng%' ORDER BY id");
  assert.ok(actions.some((a) => a.action === 'user.password' && a.actor_id === null));
  assert.ok(actions.some((a) => a.action === 'user.disable' && a.actor_id === null));
});

test('CLI: bad arguments are usage errors (exit 2), failures exit 1', () => {
  const run = (args, env = {}) => {
    try { srv.cli(args, { env }); return { code: 0 }; } catch (e) { return { code: e.status, err: String(e.stderr) }; }
  };
  let r = run(['user', 'add', 'x.y', '--name', 'X']);
  assert.equal(r.code, 2);
  assert.match(r.err, /usage:/);
  r = run(['user', 'add', 'x.y', '--name', 'X', '--role', 'boss']);
  assert.equal(r.code, 2);
  r = run(['user', 'frobnicate']);
  assert.equal(r.code, 2);
  r = run(['user', 'add', 'zhang.san', '--name', 'X', '--role', 'engineer'], { YUNWEI_PASSWORD: 'password-123' });
  assert.equal(r.code, 1);
  assert.match(r.err, /^error: login zhang\.san is taken/);
  r = run(['user', 'add', 'new.cust', '--name', 'X', '--role', 'customer', '--org', '不存在'], { YUNWEI_PASSWORD: 'password-123' });
  assert.equal(r.code, 1);
  assert.match(r.err, /no organization/);
  r = run(['user', 'passwd', 'no.such.user'], { YUNWEI_PASSWORD: 'password-123' });
  assert.equal(r.code, 1);
  r = run(['user', 'disable', 'admin']);
  assert.equal(r.code, 1);
  assert.match(r.err, /last active admin/);
  const help = srv.cli(['help', 'user']);
  assert.match(help, /--password-stdin/);
});

test('searches take !, %, _ and \\ as themselves', async () => {
  const names = ['检索!组', '检索%组', '检索_组', '检索\\组', '检索!!组'];
  for (const name of names) await create('/api/v1/groups', { name });
  const q = async (s) => (await srv.get(`/api/v1/groups?q=${encodeURIComponent(s)}`, { token: admin }))
    .json.items.map((g) => g.name).sort();
  assert.deepEqual(await q('检索'), [...names].sort());
  assert.deepEqual(await q('索!组'), ['检索!组']);
  assert.deepEqual(await q('!!'), ['检索!!组']);
  assert.deepEqual(await q('%'), ['检索%组']);
  assert.deepEqual(await q('_'), ['检索_组']);
  assert.deepEqual(await q('\\'), ['检索\\组']);
  const o = await create('/api/v1/organizations', { name: '检索!机构', code: 'JS1' });
  const r = await srv.get(`/api/v1/organizations?q=${encodeURIComponent('!机')}`, { token: admin });
  assert.deepEqual(r.json.items.map((x) => x.id), [o.id]);
});

test('a login is one whatever its case: sign-in and uniqueness', async () => {
  const r = await srv.post('/api/v1/users', { login: 'LI.SI', display_name: '李四二', role: 'customer', organization_id: ids.orgA, password: 'password-123' }, { token: admin });
  assert.equal(r.status, 409, r.text);
  const s = await srv.post('/api/v1/auth/login', { username: 'Li.Si', password: 'password-123' });
  assert.equal(s.status, 200, s.text);
});
