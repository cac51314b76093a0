// A ticket's comments, history and attachments come a page at a time (limit, cursor),
// and a customer's pages are full pages of what the customer may read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BIN } from './lib.mjs';
import { demoServer, open } from './tickets_helpers.mjs';

let srv, tok, id, t;
before(async () => {
  ({ srv, tok, id } = await demoServer());
  t = await open(srv, tok.zhangwei, { type: 'incident', title: '长期跟踪的故障', requester_id: id.hd_sun });
  for (let i = 0; i < 10; i++) {
    const internal = i % 3 === 2;   // 3 internal notes among 10 entries
    const r = await srv.post(`/api/v1/tickets/${t.id}/comments`, { body: `第${i}条 entry${i}`, internal },
      { token: tok.zhangwei });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => { await srv.stop(); srv.cleanup(); });

async function pages(path, token, limit) {
  const seen = [], sizes = [];
  let cursor = null;
  do {
    const r = await srv.get(`${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    assert.equal(r.status, 200, r.text);
    sizes.push(r.json.items.length);
    seen.push(...r.json.items);
    cursor = r.json.next_cursor;
  } while (cursor);
  return { seen, sizes };
}

test('staff page through the whole timeline, oldest first', async () => {
  const { seen, sizes } = await pages(`/api/v1/tickets/${t.id}/comments`, tok.zhangwei, 4);
  assert.deepEqual(sizes, [4, 4, 2]);
  assert.deepEqual(seen.map((e) => e.body), Array.from({ length: 10 }, (_, i) => `第${i}条 entry${i}`));
  const all = await srv.get(`/api/v1/tickets/${t.id}/comments`, { token: tok.zhangwei });
  assert.equal(all.json.items.length, 10);
  assert.equal(all.json.next_cursor, null);
});

test('a customer gets full pages of public comments only', async () => {
  const { seen, sizes } = await pages(`/api/v1/tickets/${t.id}/comments`, tok.hd_sun, 3);
  assert.deepEqual(sizes, [3, 3, 1]);
  assert.ok(seen.every((e) => e.kind === 'comment'));
  assert.deepEqual(seen.map((e) => e.body), [0, 1, 3, 4, 6, 7, 9].map((i) => `第${i}条 entry${i}`));
});

test('history pages the same way; a customer never sees the internal rows', async () => {
  const staff = await pages(`/api/v1/tickets/${t.id}/history`, tok.zhangwei, 5);
  const total = srv.sql(`SELECT COUNT(*) AS n FROM ticket_history WHERE ticket_id = ${t.id}`)[0].n;
  assert.equal(staff.seen.length, total);
  assert.ok(staff.sizes.slice(0, -1).every((n) => n === 5));
  const ids = staff.seen.map((h) => h.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  const cust = await pages(`/api/v1/tickets/${t.id}/history`, tok.hd_sun, 2);
  assert.ok(cust.seen.length < total);
  assert.ok(cust.sizes.slice(0, -1).every((n) => n === 2));
  const allowed = ['created', 'status', 'comment', 'attachment', 'resolution_code', 'resolution_notes', 'title'];
  assert.ok(cust.seen.every((h) => allowed.includes(h.field)), cust.seen.map((h) => h.field).join());
});

test('attachments page the same way; a customer gets full pages of the public ones', async () => {
  for (let i = 0; i < 7; i++) {
    const internal = i % 3 === 1;
    const r = await srv.req('POST', `/api/v1/tickets/${t.id}/attachments?filename=log${i}.txt&internal=${internal}`,
      { token: tok.zhangwei, body: Buffer.from(`日志 ${i}`), headers: { 'Content-Type': 'text/plain' } });
    assert.equal(r.status, 201, r.text);
  }
  const staff = await pages(`/api/v1/tickets/${t.id}/attachments`, tok.zhangwei, 3);
  assert.deepEqual(staff.sizes, [3, 3, 1]);
  assert.deepEqual(staff.seen.map((a) => a.filename), [0, 1, 2, 3, 4, 5, 6].map((i) => `log${i}.txt`));
  const cust = await pages(`/api/v1/tickets/${t.id}/attachments`, tok.hd_sun, 2);
  assert.deepEqual(cust.sizes, [2, 2, 1]);
  assert.deepEqual(cust.seen.map((a) => a.filename), [0, 2, 3, 5, 6].map((i) => `log${i}.txt`));
});

test('bad paging parameters are a 400 naming the parameter', async () => {
  for (const [q, field] of [['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=x', 'limit'],
    ['cursor=%%%', 'cursor'], ['cursor=abc', 'cursor'], ['page=2', 'page']]) {
    for (const what of ['comments', 'history', 'attachments']) {
      const r = await srv.get(`/api/v1/tickets/${t.id}/${what}?${q}`, { token: tok.zhangwei });
      assert.equal(r.status, 400, `${what}?${q}`);
      assert.equal(r.json.error.field, field);
    }
  }
  // another organisation's ticket stays a 404, paged or not
  const r = await srv.get(`/api/v1/tickets/${t.id}/comments?limit=1`, { token: tok.xn_li });
  assert.equal(r.status, 404);
});

test('the CLI shows a timeline longer than one page', async () => {
  const u = await open(srv, tok.lina, { type: 'request', title: '批量备注' });
  await Promise.all(Array.from({ length: 230 }, (_, i) => srv.post(`/api/v1/tickets/${u.id}/comments`,
    { body: `备注 ${i}`, internal: true }, { token: tok.lina })));
  const out = execFileSync(BIN, ['ticket', 'show', String(u.id), '--json', '--server', srv.base],
    { encoding: 'utf8', env: { ...process.env, YUNWEI_TOKEN: tok.lina } });
  const j = JSON.parse(out);
  assert.equal(j.timeline.length, 230);
  assert.equal(new Set(j.timeline.map((e) => e.body)).size, 230);
});
