// Attachments: upload, download, types, size cap, deduplication and who
// may see internal ones.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { demoServer, open } from './tickets_helpers.mjs';
import { exchange, wholeResponse } from './lib.mjs';

let srv, tok, id, mine, theirs;
before(async () => {
  ({ srv, tok, id } = await demoServer());
  mine = await open(srv, tok.zhangwei, { type: 'incident', title: '附件测试', requester_id: id.hd_sun });
  theirs = await open(srv, tok.zhangwei, { type: 'incident', title: '别家的', requester_id: id.xn_li });
});
after(async () => { await srv.stop(); srv.cleanup(); });

const up = (tid, name, body, { token, type = 'text/plain', internal } = {}) =>
  srv.req('POST', `/api/v1/tickets/${tid}/attachments?filename=${encodeURIComponent(name)}${internal !== undefined ? `&internal=${internal}` : ''}`,
    { token, body, headers: type ? { 'Content-Type': type } : {} });

test('upload and download keep the bytes, the type and the UTF-8 file name', async () => {
  const data = Buffer.from('交换机日志\nline 2\n');
  const r = await up(mine.id, '日志 log.txt', data, { token: tok.lina, type: 'text/plain; charset=utf-8' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.filename, '日志 log.txt');
  assert.equal(r.json.content_type, 'text/plain');
  assert.equal(r.json.size, data.length);
  assert.equal(r.json.internal, false);
  assert.equal(r.json.sha256, createHash('sha256').update(data).digest('hex'));
  const sha = r.json.sha256;
  assert.ok(existsSync(join(srv.dir, 'attachments', sha.slice(0, 2), sha.slice(2))));
  const d = await fetch(`${srv.base}/api/v1/attachments/${r.json.id}`, { headers: { Authorization: `Bearer ${tok.hd_sun}` } });
  assert.equal(d.status, 200);
  assert.equal(d.headers.get('content-type'), 'text/plain');
  assert.equal(d.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(d.headers.get('content-disposition'), "attachment; filename*=UTF-8''%E6%97%A5%E5%BF%97%20log.txt");
  assert.deepEqual(Buffer.from(await d.arrayBuffer()), data);
  // binary, deduplicated: the same bytes twice are stored once
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 255, 254]);
  const a = await up(mine.id, 'a.png', png, { token: tok.lina, type: 'image/png' });
  const b = await up(theirs.id, 'b.png', png, { token: tok.lina, type: 'image/png' });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal(a.json.sha256, b.json.sha256);
  const dir = join(srv.dir, 'attachments', a.json.sha256.slice(0, 2));
  assert.deepEqual(readdirSync(dir), [a.json.sha256.slice(2)]);
  const g = await fetch(`${srv.base}/api/v1/attachments/${b.json.id}`, { headers: { Authorization: `Bearer ${tok.lina}` } });
  assert.deepEqual(Buffer.from(await g.arrayBuffer()), png);
  // no Content-Type is stored as octet-stream
  const o = await up(mine.id, 'raw.bin', Buffer.from([1, 2, 3]), { token: tok.lina, type: null });
  assert.equal(o.status, 201, o.text);
  assert.equal(o.json.content_type, 'application/octet-stream');
  const h = await srv.get(`/api/v1/tickets/${mine.id}/history`, { token: tok.hd_sun });
  assert.ok(h.json.items.some((i) => i.field === 'attachment' && i.new === '日志 log.txt'));
});

test('internal attachments are for staff only; customers 404 on other organisations', async () => {
  const r = await up(mine.id, '内部拓扑.pdf', Buffer.from('%PDF-1.4 internal'), { token: tok.lina, type: 'application/pdf', internal: true });
  assert.equal(r.status, 201);
  assert.equal(r.json.internal, true);
  let g = await srv.get(`/api/v1/attachments/${r.json.id}`, { token: tok.hd_sun });
  assert.equal(g.status, 404);
  g = await srv.get(`/api/v1/attachments/${r.json.id}`, { token: tok.wangqiang });
  assert.equal(g.status, 200);
  const lc = await srv.get(`/api/v1/tickets/${mine.id}/attachments`, { token: tok.hd_sun });
  assert.ok(lc.json.items.every((a) => !a.internal));
  assert.ok(!lc.text.includes('内部拓扑'));
  const ls = await srv.get(`/api/v1/tickets/${mine.id}/attachments`, { token: tok.lina });
  assert.ok(ls.json.items.some((a) => a.internal));
  const h = await srv.get(`/api/v1/tickets/${mine.id}/history`, { token: tok.hd_sun });
  assert.ok(!h.text.includes('内部拓扑'));
  // a customer may upload public files to its own tickets only
  let c = await up(mine.id, 'photo.jpg', Buffer.from([0xff, 0xd8, 0xff]), { token: tok.hd_sun, type: 'image/jpeg' });
  assert.equal(c.status, 201);
  c = await up(mine.id, 'x.txt', Buffer.from('x'), { token: tok.hd_sun, internal: true });
  assert.equal(c.status, 403);
  c = await up(theirs.id, 'x.txt', Buffer.from('x'), { token: tok.hd_sun });
  assert.equal(c.status, 404);
  const other = await up(theirs.id, 'y.txt', Buffer.from('y'), { token: tok.lina });
  g = await srv.get(`/api/v1/attachments/${other.json.id}`, { token: tok.hd_sun });
  assert.equal(g.status, 404);
  g = await srv.get(`/api/v1/attachments/${other.json.id}`, { token: tok.xn_li });
  assert.equal(g.status, 200);
  g = await srv.get('/api/v1/attachments/999999', { token: tok.lina });
  assert.equal(g.status, 404);
  g = await srv.get(`/api/v1/attachments/${other.json.id}`);
  assert.equal(g.status, 401);
});

test('bad uploads: type, size, name, flag; nothing is written', async () => {
  const before = srv.snapshot();
  const cases = [
    [up(mine.id, 'x.html', Buffer.from('<script>'), { token: tok.lina, type: 'text/html' }), 415],
    [up(mine.id, 'x.svg', Buffer.from('<svg/>'), { token: tok.lina, type: 'image/svg+xml' }), 415],
    [up(mine.id, '', Buffer.from('x'), { token: tok.lina }), 400],
    [up(mine.id, 'a/b.txt', Buffer.from('x'), { token: tok.lina }), 400],
    [up(mine.id, 'a\\b.txt', Buffer.from('x'), { token: tok.lina }), 400],
    [up(mine.id, 'a\u0001b.txt', Buffer.from('x'), { token: tok.lina }), 400],
    [up(mine.id, 'x'.repeat(201), Buffer.from('x'), { token: tok.lina }), 400],
    [up(mine.id, 'x.txt', Buffer.from('x'), { token: tok.lina, internal: 'yes' }), 400],
    [up(mine.id, 'x.txt', Buffer.alloc(0), { token: tok.lina }), 400],
    [srv.req('POST', `/api/v1/tickets/${mine.id}/attachments`, { token: tok.lina, body: Buffer.from('x'), headers: { 'Content-Type': 'text/plain' } }), 400],
    [srv.req('POST', `/api/v1/tickets/${mine.id}/attachments?filename=a.txt&x=1`, { token: tok.lina, body: Buffer.from('x'), headers: { 'Content-Type': 'text/plain' } }), 400],
    [up(99999999, 'x.txt', Buffer.from('x'), { token: tok.lina }), 404],
  ];
  for (const [p, status] of cases) {
    const r = await p;
    assert.equal(r.status, status, r.text);
    assert.ok(r.json.error.code);
  }
  // more than one part (1 MiB) in one request: h2o refuses it by its declared length, before reading it
  // (sent as a head alone: the server answers and closes without reading, and
  // a client still sending the body would see a reset instead of the answer)
  const big = await exchange(srv, `POST /api/v1/tickets/${mine.id}/attachments?filename=big.bin HTTP/1.1\r\nHost: x\r\n` +
    `Authorization: Bearer ${tok.lina}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${(1 << 20) + 1}\r\n\r\n`,
    null, { until: wholeResponse });
  assert.equal(big.status, 413);
  assert.equal(srv.snapshot(), before);
  // exactly one part (1 MiB) is accepted in one request; larger files go up in parts (transport.test.mjs)
  const ok = await up(mine.id, 'exact.bin', Buffer.alloc(1 << 20, 2), { token: tok.lina, type: 'application/zip' });
  assert.equal(ok.status, 201);
});
