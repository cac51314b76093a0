// A table of bad requests across the ticket endpoints. Each must get the
// right status and error code, and none may change anything.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { demoServer } from './tickets_helpers.mjs';

let srv, tok, id, t1, tOther, tReq;
before(async () => {
  ({ srv, tok, id } = await demoServer());
  t1 = srv.sql("SELECT id, version FROM tickets WHERE number = 'INC000001'")[0];
  tOther = srv.sql("SELECT id FROM tickets WHERE org_id = (SELECT id FROM organizations WHERE code = 'XNNY') LIMIT 1")[0].id;
  tReq = srv.sql("SELECT id, version FROM tickets WHERE number = 'REQ000002'")[0];
});
after(async () => { await srv.stop(); srv.cleanup(); });

const inc = (extra = {}) => ({ type: 'incident', title: '正常标题', ...extra });

// [name, method, path, opts, status, code, field]
// opts: who (login, default zhaomin), body, headers, raw (string/Buffer body with JSON type)
function cases() {
  const T = `/api/v1/tickets/${t1.id}`;
  const im = { 'If-Match': String(t1.version) };
  return [
    ['malformed JSON', 'POST', '/api/v1/tickets', { raw: '{"type":' }, 400, 'malformed_json'],
    ['JSON array body', 'POST', '/api/v1/tickets', { raw: '[1,2]' }, 400, 'malformed_json'],
    ['empty body', 'POST', '/api/v1/tickets', { raw: '' }, 400, 'malformed_json'],
    ['duplicate keys', 'POST', '/api/v1/tickets', { raw: '{"type":"incident","title":"a","title":"b"}' }, 400, 'malformed_json'],
    ['invalid UTF-8 bytes', 'POST', '/api/v1/tickets', { raw: Buffer.concat([Buffer.from('{"type":"incident","title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]) }, 400, 'malformed_json'],
    ['unknown field', 'POST', '/api/v1/tickets', { body: inc({ colour: 'red' }) }, 400, 'unknown_field', 'colour'],
    ['client-supplied priority', 'POST', '/api/v1/tickets', { body: inc({ priority: 'P1' }) }, 400, 'unknown_field', 'priority'],
    ['client-supplied number', 'POST', '/api/v1/tickets', { body: inc({ number: 'INC999999' }) }, 400, 'unknown_field', 'number'],
    ['title wrong type', 'POST', '/api/v1/tickets', { body: inc({ title: 5 }) }, 400, 'invalid_field', 'title'],
    ['bad type enum', 'POST', '/api/v1/tickets', { body: inc({ type: 'problem' }) }, 400, 'invalid_field', 'type'],
    ['missing title', 'POST', '/api/v1/tickets', { body: { type: 'incident' } }, 400, 'invalid_field', 'title'],
    ['missing type', 'POST', '/api/v1/tickets', { body: { title: 'x' } }, 400, 'invalid_field', 'type'],
    ['title too long', 'POST', '/api/v1/tickets', { body: inc({ title: '长'.repeat(201) }) }, 400, 'invalid_field', 'title'],
    ['blank title', 'POST', '/api/v1/tickets', { body: inc({ title: '   ' }) }, 400, 'invalid_field', 'title'],
    ['control char in title', 'POST', '/api/v1/tickets', { body: inc({ title: 'a\u0007b' }) }, 400, 'invalid_field', 'title'],
    ['newline in title', 'POST', '/api/v1/tickets', { body: inc({ title: 'a\nb' }) }, 400, 'invalid_field', 'title'],
    ['description too long', 'POST', '/api/v1/tickets', { body: inc({ description: 'x'.repeat(20001) }) }, 400, 'invalid_field', 'description'],
    ['impact out of range', 'POST', '/api/v1/tickets', { body: inc({ impact: 0 }) }, 400, 'invalid_field', 'impact'],
    ['urgency as string', 'POST', '/api/v1/tickets', { body: inc({ urgency: 'high' }) }, 400, 'invalid_field', 'urgency'],
    ['impact as float', 'POST', '/api/v1/tickets', { body: inc({ impact: 1.5 }) }, 400, 'invalid_field', 'impact'],
    ['bad channel', 'POST', '/api/v1/tickets', { body: inc({ channel: 'fax' }) }, 400, 'invalid_field', 'channel'],
    ['nonexistent category', 'POST', '/api/v1/tickets', { body: inc({ category_id: 999999 }) }, 400, 'invalid_field', 'category_id'],
    ['negative category id', 'POST', '/api/v1/tickets', { body: inc({ category_id: -3 }) }, 400, 'invalid_field', 'category_id'],
    ['nonexistent requester', 'POST', '/api/v1/tickets', { body: inc({ requester_id: 999999 }) }, 400, 'invalid_field', 'requester_id'],
    ['nonexistent group', 'POST', '/api/v1/tickets', { body: inc({ group_id: 999999 }) }, 400, 'invalid_field', 'group_id'],
    ['customer as assignee', 'POST', '/api/v1/tickets', { body: inc({ assignee_id: id.hd_sun }) }, 400, 'invalid_field', 'assignee_id'],
    ['org not the requester\'s', 'POST', '/api/v1/tickets', { body: inc({ requester_id: id.hd_sun, organization_id: id['西南能源数据中心'] }) }, 400, 'invalid_field', 'organization_id'],
    ['fault level on a request', 'POST', '/api/v1/tickets', { body: { type: 'request', title: 'x', fault_level: 1 } }, 400, 'invalid_field', 'fault_level'],
    ['customer sets group', 'POST', '/api/v1/tickets', { who: 'hd_sun', body: inc({ group_id: id['基础网络室'] }) }, 403, 'forbidden', 'group_id'],
    ['customer for another requester', 'POST', '/api/v1/tickets', { who: 'hd_sun', body: inc({ requester_id: id.hd_zhou }) }, 403, 'forbidden', 'requester_id'],
    ['engineer assigns someone else', 'POST', '/api/v1/tickets', { who: 'lina', body: inc({ group_id: id['基础网络室'], assignee_id: id.wangqiang }) }, 403, 'forbidden', 'assignee_id'],
    ['body over the route limit (login: 4 KiB)', 'POST', '/api/v1/auth/login', { who: null, body: { username: 'lina', password: 'x'.repeat(5000) } }, 413, 'payload_too_large'],
    ['wrong content type', 'POST', '/api/v1/tickets', { raw: JSON.stringify(inc()), headers: { 'Content-Type': 'text/plain' } }, 415, 'unsupported_media_type'],
    ['query parameter on create', 'POST', '/api/v1/tickets?dry_run=1', { body: inc() }, 400, 'unknown_field', 'dry_run'],
    ['no credentials', 'POST', '/api/v1/tickets', { who: null, body: inc() }, 401, 'unauthorized'],
    ['bad token', 'GET', '/api/v1/tickets', { token: 'yw_not-a-real-token' }, 401, 'unauthorized'],
    ['id not a number', 'GET', '/api/v1/tickets/abc', {}, 404, 'not_found'],
    ['id zero', 'GET', '/api/v1/tickets/0', {}, 404, 'not_found'],
    ['id overflows', 'GET', '/api/v1/tickets/99999999999999999999', {}, 404, 'not_found'],
    ['id negative', 'GET', '/api/v1/tickets/-1', {}, 404, 'not_found'],
    ['nonexistent ticket', 'GET', '/api/v1/tickets/999999', {}, 404, 'not_found'],
    ['another org\'s ticket', 'GET', `/api/v1/tickets/${tOther}`, { who: 'hd_sun' }, 404, 'not_found'],
    ['wrong method', 'PUT', T, { body: {} }, 405, 'method_not_allowed'],
    ['PATCH without If-Match', 'PATCH', T, { body: { title: 'x' } }, 428, 'precondition_required'],
    ['PATCH bad If-Match', 'PATCH', T, { body: { title: 'x' }, headers: { 'If-Match': 'abc' } }, 400, 'invalid_field', 'If-Match'],
    ['PATCH zero If-Match', 'PATCH', T, { body: { title: 'x' }, headers: { 'If-Match': '0' } }, 400, 'invalid_field', 'If-Match'],
    ['PATCH stale version', 'PATCH', T, { body: { title: 'x' }, headers: { 'If-Match': String(t1.version + 5) } }, 409, 'version_conflict'],
    ['PATCH status field', 'PATCH', T, { body: { status: 'closed' }, headers: im }, 400, 'unknown_field', 'status'],
    ['PATCH nothing', 'PATCH', T, { body: {}, headers: im }, 400, 'invalid_field'],
    ['PATCH title null', 'PATCH', T, { body: { title: null }, headers: im }, 400, 'invalid_field', 'title'],
    ['PATCH nonexistent group', 'PATCH', T, { body: { group_id: 999999 }, headers: im }, 400, 'invalid_field', 'group_id'],
    ['PATCH fault level without reason', 'PATCH', T, { body: { fault_level: 2 }, headers: im }, 400, 'invalid_field', 'regrade_reason'],
    ['PATCH fault level on a request', 'PATCH', `/api/v1/tickets/${tReq.id}`, { body: { fault_level: 2, regrade_reason: 'x' }, headers: { 'If-Match': String(tReq.version) } }, 400, 'invalid_field', 'fault_level'],
    ['PATCH by a customer', 'PATCH', T, { who: 'hd_sun', body: { title: 'x' }, headers: im }, 403, 'forbidden'],
    ['PATCH by an outsider engineer', 'PATCH', T, { who: 'zhangwei', body: { title: 'x' }, headers: im }, 403, 'forbidden'],  // the whole ticket is not his: no one field named
    ['transition to unknown status', 'POST', `${T}/transitions`, { body: { to: 'done' } }, 400, 'invalid_field', 'to'],
    ['transition without to', 'POST', `${T}/transitions`, { body: { note: 'x' } }, 400, 'invalid_field', 'to'],
    ['transition not in the table', 'POST', `${T}/transitions`, { body: { to: 'closed' } }, 409, 'invalid_transition', 'to'],
    ['resolution code on pending', 'POST', `${T}/transitions`, { body: { to: 'pending', note: 'x', resolution_code: 'fixed' } }, 400, 'invalid_field', 'resolution_code'],
    ['bad resolution code', 'POST', `${T}/transitions`, { body: { to: 'resolved', resolution_code: 'magic' } }, 400, 'invalid_field', 'resolution_code'],
    ['note too long', 'POST', `${T}/transitions`, { body: { to: 'pending', note: 'x'.repeat(4001) } }, 400, 'invalid_field', 'note'],
    ['transition stale If-Match', 'POST', `${T}/transitions`, { body: { to: 'pending', note: 'x' }, headers: { 'If-Match': '999' } }, 409, 'version_conflict'],
    ['comment without body', 'POST', `${T}/comments`, { body: {} }, 400, 'invalid_field', 'body'],
    ['comment empty body', 'POST', `${T}/comments`, { body: { body: '' } }, 400, 'invalid_field', 'body'],
    ['comment internal not boolean', 'POST', `${T}/comments`, { body: { body: 'x', internal: 'yes' } }, 400, 'invalid_field', 'internal'],
    ['customer internal note', 'POST', `${T}/comments`, { who: 'hd_sun', body: { body: 'x', internal: true } }, 403, 'forbidden', 'internal'],
    ['comment on another org\'s ticket', 'POST', `/api/v1/tickets/${tOther}/comments`, { who: 'hd_sun', body: { body: 'x' } }, 404, 'not_found'],
    ['worklog zero minutes', 'POST', `${T}/worklogs`, { body: { minutes: 0 } }, 400, 'invalid_field', 'minutes'],
    ['worklog over a day', 'POST', `${T}/worklogs`, { body: { minutes: 1441 } }, 400, 'invalid_field', 'minutes'],
    ['worklog minutes as string', 'POST', `${T}/worklogs`, { body: { minutes: '30' } }, 400, 'invalid_field', 'minutes'],
    ['worklog by a customer', 'POST', `${T}/worklogs`, { who: 'hd_sun', body: { minutes: 5 } }, 403, 'forbidden'],
    ['link to nonexistent ticket', 'POST', `${T}/links`, { body: { ticket_id: 999999 } }, 400, 'invalid_field', 'ticket_id'],
    ['link id as string', 'POST', `${T}/links`, { body: { ticket_id: 'abc' } }, 400, 'invalid_field', 'ticket_id'],
    ['link to itself', 'POST', `${T}/links`, { body: { ticket_id: t1.id } }, 400, 'invalid_field', 'ticket_id'],
    ['unlink tickets not linked', 'DELETE', `${T}/links/${tOther}`, {}, 404, 'not_found'],
    ['unlink bad id', 'DELETE', `${T}/links/xyz`, {}, 404, 'not_found'],
    ['list bad status', 'GET', '/api/v1/tickets?status=new,bogus', {}, 400, 'invalid_field', 'status'],
    ['list empty status item', 'GET', '/api/v1/tickets?status=new,', {}, 400, 'invalid_field', 'status'],
    ['list bad priority', 'GET', '/api/v1/tickets?priority=P9', {}, 400, 'invalid_field', 'priority'],
    ['list bad type', 'GET', '/api/v1/tickets?type=change', {}, 400, 'invalid_field', 'type'],
    ['list bad fault level', 'GET', '/api/v1/tickets?fault_level=4', {}, 400, 'invalid_field', 'fault_level'],
    ['list bad sort', 'GET', '/api/v1/tickets?sort=title', {}, 400, 'invalid_field', 'sort'],
    ['list limit zero', 'GET', '/api/v1/tickets?limit=0', {}, 400, 'invalid_field', 'limit'],
    ['list limit too big', 'GET', '/api/v1/tickets?limit=201', {}, 400, 'invalid_field', 'limit'],
    ['list limit not a number', 'GET', '/api/v1/tickets?limit=ten', {}, 400, 'invalid_field', 'limit'],
    ['list bad cursor', 'GET', '/api/v1/tickets?cursor=!!notbase64', {}, 400, 'invalid_field', 'cursor'],
    ['list bad date', 'GET', '/api/v1/tickets?created_after=yesterday', {}, 400, 'invalid_field', 'created_after'],
    ['list bad assignee', 'GET', '/api/v1/tickets?assignee=bob', {}, 400, 'invalid_field', 'assignee'],
    ['list bad group', 'GET', '/api/v1/tickets?group=-1', {}, 400, 'invalid_field', 'group'],
    ['list bad category', 'GET', '/api/v1/tickets?category=1.5', {}, 400, 'invalid_field', 'category'],
    ['list unknown parameter', 'GET', '/api/v1/tickets?owner=me', {}, 400, 'unknown_field', 'owner'],
    ['list parameter twice', 'GET', '/api/v1/tickets?status=new&status=closed', {}, 400, 'invalid_field', 'status'],
    ['list bad escape', 'GET', '/api/v1/tickets?q=%ZZ', {}, 400, 'invalid_field'],
    ['list invalid UTF-8 in q', 'GET', '/api/v1/tickets?q=%C3%28', {}, 400, 'invalid_field'],
    ['list q without words', 'GET', '/api/v1/tickets?q=%21%21%21', {}, 400, 'invalid_field', 'q'],
    ['matrix by a manager', 'PUT', '/api/v1/priority-matrix', { body: { matrix: [[1, 1, 1], [1, 1, 1], [1, 1, 1]] } }, 403, 'forbidden'],
    ['matrix wrong shape', 'PUT', '/api/v1/priority-matrix', { who: 'admin', body: { matrix: [[1, 2, 3], [2, 3, 4]] } }, 400, 'invalid_field', 'matrix'],
    ['matrix value out of range', 'PUT', '/api/v1/priority-matrix', { who: 'admin', body: { matrix: [[0, 2, 3], [2, 3, 4], [3, 4, 4]] } }, 400, 'invalid_field', 'matrix'],
    ['matrix unknown field', 'PUT', '/api/v1/priority-matrix', { who: 'admin', body: { matrix: [[1, 2, 3], [2, 3, 4], [3, 4, 4]], note: 'x' } }, 400, 'unknown_field', 'note'],
    ['body on a GET-like delete', 'DELETE', `${T}/links/${tOther}`, { raw: '{}' }, 400, 'invalid_field'],
  ];
}

test('at least 40 bad requests, each refused with its code and changing nothing', async () => {
  const list = cases();
  assert.ok(list.length >= 40);
  const before = srv.snapshot();
  for (const [name, method, path, o, status, code, field] of list) {
    const opts = { headers: { ...(o.headers || {}) } };
    if (o.token) opts.token = o.token;
    else if (o.who !== null) opts.token = tok[o.who || 'zhaomin'];
    if (o.raw !== undefined) {
      opts.body = o.raw;
      if (!('Content-Type' in opts.headers)) opts.headers['Content-Type'] = 'application/json';
    } else if (o.body !== undefined) {
      opts.body = o.body;
    }
    const r = await srv.req(method, path, opts);
    assert.equal(r.status, status, `${name}: ${r.status} ${r.text.slice(0, 300)}`);
    assert.equal(r.json?.error?.code, code, `${name}: ${r.text.slice(0, 300)}`);
    assert.ok(r.json.error.message, name);
    if (field) assert.equal(r.json.error.field, field, `${name}: ${r.text.slice(0, 300)}`);
    assert.equal(srv.snapshot(), before, `${name} changed the database`);
  }
});
