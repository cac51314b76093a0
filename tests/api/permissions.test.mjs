// Who may do what (issue 12, item 6): every route of the server's route
// table, walked as every role of the demo department and as nobody, on
// records inside and outside each caller's scope. A request is refused
// (401/403/404) exactly when the permission table says so.
//
// The walk changes nothing: each request carries an unknown query
// parameter, which every handler refuses with 400 unknown_field before it
// does anything, and which it only gets to look at once the permission
// check has let the request through. So "allowed" is that 400 naming the
// parameter, and "refused" is 401, 403 or 404 from the dispatcher.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from './lib.mjs';

const OPENAPI = new URL('../../docs/openapi.yaml', import.meta.url).pathname;
const WALK = 'zz_perm_walk';
const LOGINS = ['admin', 'zhaomin', 'chenjing', 'huanglei', 'zhangwei', 'lina', 'wangqiang', 'liuyang',
  'hd_sun', 'hd_zhou', 'xn_li'];
const MISSING = 999999;

let srv;
const who = {};   // login -> { id, role, org, token, perms: Map('res.act' -> scope) }

// What a route's {id} names, by the start of its pattern (as tests/unit/account/test_perm.c).
const KINDS = [
  ['/api/v1/tickets/{id}', 'ticket'], ['/api/v1/attachments/{id}', 'attachment'],
  ['/api/v1/users/{id}', 'user'], ['/api/v1/organizations/{id}', 'org'], ['/api/v1/groups/{id}', 'group'],
  ['/api/v1/tokens/{id}', 'token'], ['/api/v1/notifications/{id}', 'notification'],
  ['/api/v1/me/views/{id}', 'view'],
];
const kindOf = (path) => (KINDS.find(([p]) => path.startsWith(p)) || [null, null])[1];

const q1 = (sql) => srv.sql(sql)[0];
const userId = (login) => q1(`SELECT id FROM users WHERE login = '${login}'`).id;

before(async () => {
  srv = await startServer({ demo: true });
  for (const login of LOGINS) {
    const u = q1(`SELECT id, role, COALESCE(org_id, 0) AS org FROM users WHERE login = '${login}'`);
    who[login] = { id: u.id, role: u.role, org: u.org, token: srv.token(login) };
  }
  // records of the kinds the demo has none of: an attachment, saved views, a notification
  const t = await srv.req('POST', '/api/v1/tickets/1/attachments?filename=log.txt',
    { token: who.admin.token, body: Buffer.from('link down 10:02'), headers: { 'Content-Type': 'text/plain' } });
  assert.equal(t.status, 201, t.text);
  for (const login of ['lina', 'hd_sun']) {
    const v = await srv.post('/api/v1/me/views', { name: '我的', query: 'status=new' }, { token: who[login].token });
    assert.equal(v.status, 201, v.text);
  }
  srv.sql(`INSERT INTO notifications(user_id, kind, ticket_id, subject_zh, body_zh, subject_en, body_en, created_at)
           VALUES (${who.lina.id}, 'sla_warning', 1, '预警', '预警', 'warning', 'warning', 0)`);
  for (const login of LOGINS) {
    const r = await srv.get('/api/v1/permissions', { token: who[login].token });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.role, who[login].role);
    who[login].perms = new Map(r.json.permissions.map((p) => [`${p.resource}.${p.action}`, p.scope]));
    who[login].routes = r.json.routes;
  }
});
after(async () => { await srv.stop(); srv.cleanup(); });

// Every (method, path) of docs/openapi.yaml and whether it takes a body.
function documentedOperations() {
  const ops = new Map();
  let path = null, last = null;
  for (const line of readFileSync(OPENAPI, 'utf8').split('\n')) {
    let m;
    if ((m = line.match(/^ {2}(\/api\/\S+):$/))) path = m[1];
    else if (/^\S/.test(line)) path = null;
    else if (path && (m = line.match(/^ {4}(get|put|post|patch|delete):$/))) {
      last = `${m[1].toUpperCase()} ${path}`;
      ops.set(last, false);
    } else if (path && last && line === '      requestBody:') ops.set(last, true);
  }
  return ops;
}

// ---- the facts of a record, for a caller (as src/domain/account/perm.c loads them)

function ticketFacts(id, u) {
  const t = q1(`SELECT COALESCE(org_id, 0) AS org, COALESCE(requester_id, 0) AS owner,
    COALESCE(assignee_id, 0) AS assignee, COALESCE(group_id, 0) AS grp, COALESCE(category_id, 0) AS cat
    FROM tickets WHERE id = ${id}`);
  if (!t) return null;
  const staff = u.role !== 'customer';
  const catGroup = t.cat ? q1(`SELECT COALESCE(default_group_id, 0) AS g FROM categories WHERE id = ${t.cat}`).g : 0;
  const mine = staff && (!t.grp || inGroup(u, t.grp) || (catGroup && supervises(u, catGroup)));
  return { org: t.org, owner: t.owner, assignee: t.assignee, mine };
}
const inGroup = (u, g) => !!q1(`SELECT 1 AS x FROM group_members WHERE group_id = ${g} AND user_id = ${u.id}
  UNION SELECT 1 FROM groups WHERE id = ${g} AND supervisor_id = ${u.id}`);
const supervises = (u, g) => !!q1(`SELECT 1 AS x FROM groups WHERE id = ${g} AND supervisor_id = ${u.id}`);

function facts(kind, id, u) {
  const one = (sql) => { const r = q1(sql); return r ? r.v : null; };
  switch (kind) {
    case 'ticket': return ticketFacts(id, u);
    case 'attachment': { const t = one(`SELECT ticket_id AS v FROM attachments WHERE id = ${id}`); return t ? ticketFacts(t, u) : null; }
    case 'user': { const o = one(`SELECT COALESCE(org_id, 0) AS v FROM users WHERE id = ${id}`); return o === null ? null : { org: o, owner: id }; }
    case 'org': return one(`SELECT id AS v FROM organizations WHERE id = ${id}`) ? { org: id } : null;
    case 'group': return one(`SELECT id AS v FROM groups WHERE id = ${id}`) ? { mine: inGroup(u, id) } : null;
    case 'token': { const o = one(`SELECT user_id AS v FROM api_tokens WHERE id = ${id}`); return o ? { owner: o } : null; }
    case 'notification': { const o = one(`SELECT user_id AS v FROM notifications WHERE id = ${id}`); return o ? { owner: o } : null; }
    case 'view': { const o = one(`SELECT user_id AS v FROM saved_views WHERE id = ${id}`); return o ? { owner: o } : null; }
  }
  throw new Error('unknown kind ' + kind);
}

// Whether scope covers the record f for u (perm.h: each scope includes the narrower ones).
function covers(scope, f, u) {
  const own = () => (f.owner && f.owner === u.id) || (f.assignee && f.assignee === u.id);
  switch (scope) {
    case 'public': case 'any': return true;
    case 'own_organization': return (u.org && f.org === u.org) || !!f.mine || own();
    case 'own_groups': return !!f.mine || own();
    case 'own': return !!own();
    default: return false;
  }
}

// The status the table says a request gets: 400 (allowed: the handler's query check), 403 or 404.
function expected(u, rt, id) {
  const scope = u.perms.get(`${rt.resource}.${rt.action}`);
  assert.ok(scope, `${rt.method} ${rt.path}: ${rt.resource}.${rt.action} is not among ${u.role}'s rows`);
  if (scope === 'public' || scope === 'any') return 400;
  const kind = kindOf(rt.path);
  if (!kind || !id) return scope === 'none' ? 403 : 400;
  const see = u.perms.get(`${rt.resource}.read`);
  if (scope === 'none' && ['none', 'any', 'public'].includes(see)) return 403;
  const f = facts(kind, id, u);
  if (!f || !covers(see, f, u)) return 404;
  return covers(scope, f, u) ? 400 : 403;
}

// Ids to walk a route's {id} with: records of every scope, and one that does not exist.
function candidates(kind) {
  const ids = (sql) => srv.sql(sql).map((r) => r.id);
  switch (kind) {
    // every group, both organisations, resolved and open, assigned and not, one without an organisation
    case 'ticket': return [...ids('SELECT id FROM tickets WHERE id IN (1, 2, 3, 4, 9, 10)'), MISSING];
    case 'attachment': return [...ids('SELECT id FROM attachments'), MISSING];
    case 'user': return [...ids(`SELECT id FROM users WHERE login IN ('lina', 'chenjing', 'hd_sun', 'hd_zhou', 'xn_li')`), MISSING];
    case 'org': return [...ids('SELECT id FROM organizations'), MISSING];
    case 'group': return [...ids('SELECT id FROM groups'), MISSING];
    case 'token': return [...ids(`SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.login IN ('admin', 'lina', 'hd_sun')`), MISSING];
    case 'notification': return [...ids('SELECT id FROM notifications'), MISSING];
    case 'view': return [...ids('SELECT id FROM saved_views'), MISSING];
    default: return [1];
  }
}

test('the route table lists every documented operation, each with its permission', async () => {
  const routes = who.admin.routes;
  const served = new Set(routes.map((rt) => `${rt.method} ${rt.path}`));
  const documented = documentedOperations();
  for (const op of documented.keys()) assert.ok(served.has(op), `${op} is documented but not walked`);
  for (const op of served) assert.ok(documented.has(op), `${op} is served but not documented`);
  for (const rt of routes) assert.ok(rt.resource && rt.action, `${rt.method} ${rt.path} names no permission`);
  assert.ok(routes.length >= 60, `only ${routes.length} routes`);
});

test('every route x every role: refused exactly when the permission table says so, and nothing changes', async () => {
  const documented = documentedOperations();
  const before = srv.snapshot();
  let walked = 0, refused = 0;
  for (const rt of who.admin.routes) {
    const hasBody = documented.get(`${rt.method} ${rt.path}`);
    const kind = kindOf(rt.path);
    const ids = rt.path.includes('{id}') ? candidates(kind) : [0];
    for (const id of ids) {
      const path = rt.path.replace('{id}', String(id)).replace('{other_id}', '4') + `?${WALK}=1`;
      const opts = hasBody ? { body: {} } : {};
      // nobody: only the public routes answer
      const anon = await srv.req(rt.method, path, opts);
      const anonWant = who.admin.perms.get(`${rt.resource}.${rt.action}`) === 'public' ? 400 : 401;
      assert.equal(anon.status, anonWant, `anonymous ${rt.method} ${path}: ${anon.text}`);
      for (const login of LOGINS) {
        const u = who[login];
        const want = expected(u, rt, id);
        const r = await srv.req(rt.method, path, { ...opts, token: u.token });
        const what = `${login} (${u.role}) ${rt.method} ${path} [${rt.resource}.${rt.action}]`;
        assert.equal(r.status, want, `${what}: ${r.text}`);
        if (want === 400)
          assert.equal(r.json.error.field, WALK, `${what}: ${r.text}`);
        else
          refused++;
        walked++;
      }
    }
  }
  assert.ok(refused > 100 && walked - refused > 100, `walked ${walked}, refused ${refused}`);
  assert.equal(srv.snapshot(), before, 'a walked request changed something');
});

test('a refusal on a record the caller may see is 403 naming the action; on one it may not see, 404', async () => {
  let r = await srv.post('/api/v1/tickets/1/onsite', undefined, { token: who.liuyang.token });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, 'forbidden');
  assert.match(r.json.error.message, /登记到场/);
  r = await srv.post('/api/v1/tickets/10/comments', { body: '看不到' }, { token: who.hd_sun.token });
  assert.equal(r.status, 404, r.text);
  r = await srv.patch('/api/v1/tickets/1', { title: 'x' }, { token: who.hd_sun.token, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 403, r.text);
});

// ---- the two holes of issue 12, with real requests

test('an engineer of another group may not record the arrival on site; one of the ticket\'s group may', async () => {
  // ticket 1: 基础网络室 (lina, wangqiang), on-site clock running
  const running = () => q1(`SELECT stopped_at IS NULL AS running FROM sla_clocks
    WHERE ticket_id = 1 AND target = 'onsite' AND current = 1`).running;
  assert.equal(running(), 1);
  const before = srv.snapshot();
  for (const login of ['liuyang', 'zhangwei', 'huanglei', 'hd_sun']) {
    const r = await srv.post('/api/v1/tickets/1/onsite', undefined, { token: who[login].token });
    assert.equal(r.status, 403, `${login}: ${r.text}`);
  }
  const r = await srv.post('/api/v1/tickets/1/onsite', undefined, { token: who.xn_li.token });
  assert.equal(r.status, 404, r.text);
  assert.equal(srv.snapshot(), before);
  assert.equal(running(), 1);
  // wangqiang is a member of 基础网络室 but not the assignee (lina)
  const ok = await srv.post('/api/v1/tickets/1/onsite', undefined, { token: who.wangqiang.token });
  assert.ok(ok.status >= 200 && ok.status < 300, ok.text);
  assert.equal(running(), 0);
});

test('an engineer of another group may not close a resolved ticket; one of the ticket\'s group may', async () => {
  // ticket 2: resolved, 业务支撑室 (liuyang assignee, wangqiang, supervisor huanglei)
  assert.equal(q1('SELECT status FROM tickets WHERE id = 2').status, 'resolved');
  const tr = await srv.get('/api/v1/tickets/2/transitions', { token: who.lina.token });
  assert.equal(tr.status, 200);
  assert.deepEqual(tr.json.items.map((i) => i.to), [], 'lina is offered steps on another group\'s ticket');
  const before = srv.snapshot();
  for (const login of ['lina', 'zhangwei', 'chenjing']) {
    for (const to of ['closed', 'reopened']) {
      const r = await srv.post('/api/v1/tickets/2/transitions', { to, note: '不是我的' }, { token: who[login].token });
      assert.equal(r.status, 403, `${login} -> ${to}: ${r.text}`);
    }
  }
  assert.equal(srv.snapshot(), before);
  const mine = await srv.get('/api/v1/tickets/2/transitions', { token: who.wangqiang.token });
  assert.ok(mine.json.items.some((i) => i.to === 'closed'), JSON.stringify(mine.json));
  const r = await srv.post('/api/v1/tickets/2/transitions', { to: 'closed' }, { token: who.wangqiang.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(q1('SELECT status FROM tickets WHERE id = 2').status, 'closed');
});

test('GET /permissions gives the caller its role\'s rows', async () => {
  const lina = who.lina.perms;
  assert.equal(lina.get('ticket.onsite'), 'own_groups');
  assert.equal(lina.get('ticket.read'), 'any');
  assert.equal(lina.get('user.create'), 'none');
  assert.equal(who.hd_sun.perms.get('ticket.read'), 'own_organization');
  assert.equal(who.hd_sun.perms.get('ticket.onsite'), 'none');
  assert.equal(who.zhaomin.perms.get('ticket.onsite'), 'any');
  assert.equal(who.admin.perms.get('health.read'), 'public');
  const r = await srv.get('/api/v1/permissions');
  assert.equal(r.status, 401);
});
