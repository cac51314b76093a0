// The HTTP transport (issue 12, items 1, 2 and 8): bodies refused by
// their declared length against the route's own limit and the memory
// they may take bounded, attachments uploaded in parts, ambiguous request
// framing refused with the connection closed, cleartext HTTP/2 off unless
// asked for, the connection cap, and the smaller header and text rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { startServer, exchange, wholeResponse } from './lib.mjs';
import { demoServer, open } from './tickets_helpers.mjs';

let srv, tok, id, ticket;
before(async () => {
  ({ srv, tok, id } = await demoServer());
  ticket = await open(srv, tok.zhangwei, { type: 'incident', title: '传输测试', requester_id: id.hd_sun });
});
after(async () => { await srv.stop(); srv.cleanup(); });

const port = (s) => Number(new URL(s.base).port);
const rss = (s) => Number(readFileSync(`/proc/${s.proc.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)[1]) * 1024;

test('40 anonymous 15 MiB uploads at once get 4xx, barely grow the server, and health is answered meanwhile', async () => {
  const before = rss(srv);
  let peak = before;
  const big = 15 << 20;
  const uploads = [];
  // A 15 MiB body, declared by Content-Length or by one chunk's size. The
  // client sends only what the server should read before it refuses: the
  // head, and for the chunked one its first MiB. Then it waits for the
  // answer, which never comes if the server keeps reading. (Bytes a
  // server closes on unread make the close a reset, and Node drops an
  // answer that arrives with one, so sending more would test Node.)
  for (let i = 0; i < 40; i++) {
    const chunked = i % 2 === 1;
    const head = `POST /api/v1/tickets/${ticket.id}/attachments?filename=big${i}.bin HTTP/1.1\r\nHost: x\r\n` +
      'Content-Type: application/octet-stream\r\n' +
      (chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${big}\r\n`) + '\r\n';
    const body = chunked ? Buffer.concat([Buffer.from(big.toString(16) + '\r\n'), Buffer.alloc(1 << 20, 0x61)]) : null;
    uploads.push(exchange(srv, head, body).then((r) => { peak = Math.max(peak, rss(srv)); return r; }));
  }
  const health = await srv.get('/api/v1/health');
  assert.equal(health.status, 200);
  peak = Math.max(peak, rss(srv));
  const results = await Promise.all(uploads);
  peak = Math.max(peak, rss(srv));
  for (const [i, r] of results.entries()) {
    assert.ok(r.status >= 400 && r.status < 500, `upload ${i} (${i % 2 ? 'chunked' : 'declared'}): ${r.status} ${r.text.slice(0, 200)}`);
    assert.ok(r.closed, `upload ${i}: the connection is closed`);
  }
  assert.ok(results.every((r) => r.status === 413));
  assert.ok(peak - before < 128 << 20, `RSS grew by ${((peak - before) / 1048576).toFixed(1)} MiB`);
  // nothing was stored
  assert.equal(srv.sql(`SELECT count(*) AS n FROM attachments WHERE ticket_id = ${ticket.id}`)[0].n, 0);
});

test('every route holds its own body limit before authentication: a login takes 4 KiB, JSON 1 MiB', async () => {
  const login = await srv.post('/api/v1/auth/login', { username: 'lina', password: 'x'.repeat(5000) });
  assert.equal(login.status, 413, login.text);
  assert.equal(login.json.error.code, 'payload_too_large');
  // a JSON route refuses more than 1 MiB before it asks who you are
  const r = await exchange(srv, `POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${(1 << 20) + 1}\r\n\r\n`,
    null, { until: wholeResponse });
  assert.equal(r.status, 413);
  // a route that takes no body refuses one, anonymous or not
  const nb = await srv.post(`/api/v1/auth/logout`, Buffer.from('x'), { headers: { 'Content-Type': 'text/plain' } });
  assert.equal(nb.status, 400);
  assert.match(nb.json.error.message, /不接受请求体/);
  // a single-request attachment is one part at most
  const one = await exchange(srv, `POST /api/v1/tickets/${ticket.id}/attachments?filename=a.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok.lina}\r\nContent-Length: ${(1 << 20) + 1}\r\n\r\n`,
    null, { until: wholeResponse });
  assert.equal(one.status, 413);
});

// Uploads a buffer in parts as the web UI does; returns the upload's id.
async function uploadParts(data, { token = tok.lina, name = 'big.zip', type = 'application/zip', sha = true } = {}) {
  const body = { filename: name, size: data.length, content_type: type };
  if (sha) body.sha256 = createHash('sha256').update(data).digest('hex');
  const c = await srv.post('/api/v1/uploads', body, { token });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.offset, 0);
  assert.equal(c.json.part_size, 1 << 20);
  assert.equal(c.json.complete, false);
  for (let off = 0; off < data.length; off += c.json.part_size) {
    const part = data.subarray(off, off + c.json.part_size);
    const p = await srv.req('PUT', `/api/v1/uploads/${c.json.id}`, { token, body: part, headers: { 'Upload-Offset': String(off), 'Content-Type': 'application/octet-stream' } });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.offset, off + part.length);
  }
  return c.json.id;
}

test('an attachment of several parts round-trips byte-exact, as a one-request upload is stored', async () => {
  const data = randomBytes((3 << 20) + 12345);
  const uid = await uploadParts(data);
  const g = await srv.get(`/api/v1/uploads/${uid}`, { token: tok.lina });
  assert.equal(g.json.complete, true);
  const a = await srv.post(`/api/v1/tickets/${ticket.id}/attachments?upload=${uid}&internal=false`, undefined, { token: tok.lina });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.filename, 'big.zip');
  assert.equal(a.json.content_type, 'application/zip');
  assert.equal(a.json.size, data.length);
  const sha = createHash('sha256').update(data).digest('hex');
  assert.equal(a.json.sha256, sha);
  assert.ok(existsSync(join(srv.dir, 'attachments', sha.slice(0, 2), sha.slice(2))));
  const d = await fetch(`${srv.base}/api/v1/attachments/${a.json.id}`, { headers: { Authorization: `Bearer ${tok.hd_sun}` } });
  assert.equal(d.status, 200);
  assert.equal(createHash('sha256').update(Buffer.from(await d.arrayBuffer())).digest('hex'), sha);
  // the upload is gone: it became this attachment, once
  assert.equal((await srv.get(`/api/v1/uploads/${uid}`, { token: tok.lina })).status, 404);
  const again = await srv.post(`/api/v1/tickets/${ticket.id}/attachments?upload=${uid}`, undefined, { token: tok.lina });
  assert.equal(again.status, 404);
  assert.deepEqual(readdirSync(join(srv.dir, 'attachments', '.uploads')), []);
  // exactly 10 MiB goes up in parts
  const ten = Buffer.alloc(10 << 20, 7);
  const tid = await uploadParts(ten, { sha: false });
  const t = await srv.post(`/api/v1/tickets/${ticket.id}/attachments?upload=${tid}`, undefined, { token: tok.lina });
  assert.equal(t.status, 201, t.text);
  assert.equal(t.json.size, 10 << 20);
});

test('wrong offset, another user, an oversize part, an expired or unfinished upload are refused and change nothing', async () => {
  const c = await srv.post('/api/v1/uploads', { filename: '日志.txt', size: (1 << 20) + 10, content_type: 'text/plain' }, { token: tok.lina });
  assert.equal(c.status, 201, c.text);
  const uid = c.json.id;
  const put = (off, body, token = tok.lina, headers = {}) => srv.req('PUT', `/api/v1/uploads/${uid}`,
    { token, body, headers: { ...(off === null ? {} : { 'Upload-Offset': String(off) }), 'Content-Type': 'application/octet-stream', ...headers } });
  const first = await put(0, Buffer.alloc(10, 1));
  assert.equal(first.status, 200);
  const partFile = join(srv.dir, 'attachments', '.uploads', `${uid}.part`);
  const state = () => [srv.snapshot(), readFileSync(partFile).toString('hex')];
  const before = state();
  const cases = [
    [put(0, Buffer.alloc(10, 2)), 409, 'Upload-Offset'],               // not where the upload is
    [put(11, Buffer.alloc(10, 2)), 409, 'Upload-Offset'],
    [put(null, Buffer.alloc(10, 2)), 428, 'Upload-Offset'],
    [put('-1', Buffer.alloc(10, 2)), 400, 'Upload-Offset'],
    [put('1x', Buffer.alloc(10, 2)), 400, 'Upload-Offset'],
    [put(10, Buffer.alloc(10, 2), tok.wangqiang), 404, 'id'],          // only the uploader appends
    [put(10, Buffer.alloc(10, 2), tok.hd_sun), 404, 'id'],
    // a part over 1 MiB, sent as a head alone: refused by its declared length before it is read
    [exchange(srv, `PUT /api/v1/uploads/${uid} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok.lina}\r\n` +
      `Upload-Offset: 10\r\nContent-Type: application/octet-stream\r\nContent-Length: ${(1 << 20) + 1}\r\n\r\n`,
    null, { until: wholeResponse }), 413, null],
    [put(10, Buffer.alloc(0)), 400, null],
    [srv.get(`/api/v1/uploads/${uid}`, { token: tok.wangqiang }), 404, 'id'],
    [srv.del(`/api/v1/uploads/${uid}`, { token: tok.wangqiang }), 404, 'id'],
    [srv.post(`/api/v1/tickets/${ticket.id}/attachments?upload=${uid}`, undefined, { token: tok.lina }), 409, 'upload'],
    [srv.post(`/api/v1/tickets/${ticket.id}/attachments?upload=${uid}`, undefined, { token: tok.wangqiang }), 404, 'id'],
    [srv.post(`/api/v1/tickets/${ticket.id}/attachments?upload=${uid}&filename=x.txt`, undefined, { token: tok.lina }), 400, 'upload'],
    [srv.post('/api/v1/uploads', { filename: 'x.bin', size: (10 << 20) + 1 }, { token: tok.lina }), 413, 'size'],
    [srv.post('/api/v1/uploads', { filename: 'x.bin', size: 0 }, { token: tok.lina }), 400, 'size'],
    [srv.post('/api/v1/uploads', { filename: 'a/b.bin', size: 5 }, { token: tok.lina }), 400, 'filename'],
    [srv.post('/api/v1/uploads', { filename: 'x.html', size: 5, content_type: 'text/html' }, { token: tok.lina }), 415, 'content_type'],
    [srv.post('/api/v1/uploads', { filename: 'x.bin', size: 5, sha256: 'abc' }, { token: tok.lina }), 400, 'sha256'],
    [srv.post('/api/v1/uploads', { filename: 'x.bin', size: 5 }), 401, null],
  ];
  for (const [p, status, field] of cases) {
    const r = await p;
    assert.equal(r.status, status, r.text);
    if (field) assert.equal(r.json.error.field, field, r.text);
  }
  // a part that fits in one request but runs past the upload's declared size
  const small = await srv.post('/api/v1/uploads', { filename: 'x.bin', size: 3 }, { token: tok.lina });
  const past = await srv.req('PUT', `/api/v1/uploads/${small.json.id}`,
    { token: tok.lina, body: Buffer.from('abcd'), headers: { 'Upload-Offset': '0', 'Content-Type': 'application/octet-stream' } });
  assert.equal(past.status, 413, past.text);
  assert.match(past.json.error.message, /声明的大小 3 字节/);
  assert.equal((await srv.del(`/api/v1/uploads/${small.json.id}`, { token: tok.lina })).status, 204);
  const wrong = await put(3, Buffer.alloc(1, 2));
  assert.equal(wrong.json.error.offset, 10);
  assert.deepEqual(state(), before);
  // a declared sha256 that the bytes do not match: refused, nothing stored
  const bad = await srv.post('/api/v1/uploads', { filename: 'x.bin', size: 3, sha256: '0'.repeat(64) }, { token: tok.lina });
  assert.equal((await srv.req('PUT', `/api/v1/uploads/${bad.json.id}`, { token: tok.lina, body: Buffer.from('abc'), headers: { 'Upload-Offset': '0' } })).status, 200);
  const s0 = srv.snapshot();
  const m = await srv.post(`/api/v1/tickets/${ticket.id}/attachments?upload=${bad.json.id}`, undefined, { token: tok.lina });
  assert.equal(m.status, 400);
  assert.equal(m.json.error.field, 'sha256');
  assert.equal(srv.snapshot(), s0);
  // a day after it was created the upload has expired: refused, and removed
  const meta = join(srv.dir, 'attachments', '.uploads', `${uid}.meta`);
  const j = JSON.parse(readFileSync(meta, 'utf8'));
  j.created_at -= 24 * 3600;
  writeFileSync(meta, JSON.stringify(j));
  const ex = await put(10, Buffer.alloc(10, 2));
  assert.equal(ex.status, 404);
  assert.match(ex.json.error.message, /已过期/);
  assert.ok(!existsSync(partFile) && !existsSync(meta));
  // cancelling removes it
  assert.equal((await srv.del(`/api/v1/uploads/${bad.json.id}`, { token: tok.lina })).status, 204);
  assert.deepEqual(readdirSync(join(srv.dir, 'attachments', '.uploads')), []);
});

test('a user has at most 20 unfinished uploads; expired ones do not count', async () => {
  const start = () => srv.post('/api/v1/uploads', { filename: 'n.bin', size: 5 }, { token: tok.liuyang });
  const ids = [];
  for (let i = 0; i < 20; i++) {
    const r = await start();
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  const over = await start();
  assert.equal(over.status, 429, over.text);
  // another user is not held back by them
  const other = await srv.post('/api/v1/uploads', { filename: 'o.bin', size: 5 }, { token: tok.wangqiang });
  assert.equal(other.status, 201, other.text);
  ids.push(null);
  // one of them expires: it is removed, and there is room again
  const meta = join(srv.dir, 'attachments', '.uploads', `${ids[0]}.meta`);
  const j = JSON.parse(readFileSync(meta, 'utf8'));
  j.created_at -= 2 * 24 * 3600;
  writeFileSync(meta, JSON.stringify(j));
  const again = await start();
  assert.equal(again.status, 201, again.text);
  assert.ok(!existsSync(meta));
  for (const id of [...ids.slice(1, 20), again.json.id])
    assert.equal((await srv.del(`/api/v1/uploads/${id}`, { token: tok.liuyang })).status, 204);
  assert.equal((await srv.del(`/api/v1/uploads/${other.json.id}`, { token: tok.wangqiang })).status, 204);
});

test('an expired upload nobody touches again is removed by the server', async () => {
  const c = await srv.post('/api/v1/uploads', { filename: 'old.bin', size: 5 }, { token: tok.lina });
  const meta = join(srv.dir, 'attachments', '.uploads', `${c.json.id}.meta`);
  const j = JSON.parse(readFileSync(meta, 'utf8'));
  j.created_at -= 2 * 24 * 3600;
  writeFileSync(meta, JSON.stringify(j));
  // starting any upload sweeps the expired ones (so does the server once a minute)
  const d = await srv.post('/api/v1/uploads', { filename: 'new.bin', size: 5 }, { token: tok.wangqiang });
  assert.equal(d.status, 201);
  assert.ok(!existsSync(meta));
  assert.equal((await srv.del(`/api/v1/uploads/${d.json.id}`, { token: tok.wangqiang })).status, 204);
});

// A request hidden in a body, by each kind of ambiguous framing.
const hidden = (token) => {
  const body = JSON.stringify({ type: 'incident', title: '走私的工单', requester_id: id.hd_sun });
  return `POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

test('ambiguous framing is 400, the connection closed, and the request hidden in the body never runs', async () => {
  const h = hidden(tok.zhangwei);
  const smuggled = () => srv.sql("SELECT count(*) AS n FROM tickets WHERE title = '走私的工单'")[0].n;
  const cases = {
    'Content-Length with Transfer-Encoding': `POST /api/v1/auth/logout HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${h}`,
    'two Content-Lengths': `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${Buffer.byteLength(h)}\r\n\r\n${h}`,
    'Transfer-Encoding not only chunked': `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${h}`,
    'obs-fold': `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n Content-Length: 5\r\n\r\n${h}`,
    'bare LF': `GET /api/v1/health HTTP/1.1\nHost: x\r\n\r\n${h}`,
    'static file with two Content-Lengths': `GET /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 3\r\n\r\n${h}`,
  };
  for (const [what, req] of Object.entries(cases)) {
    const r = await exchange(srv, req);
    assert.equal(r.status, 400, `${what}: ${r.text.slice(0, 300)}`);
    assert.equal(r.count, 1, `${what}: one response only`);
    assert.ok(r.closed, `${what}: connection closed`);
    assert.ok(!r.text.includes('201 Created'), what);
    assert.match(r.data.toString('utf8'), /请求分帧有歧义/, what);
  }
  // the reason in English when asked for
  const en = await exchange(srv, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\nContent-Length: 0\r\nContent-Length: 3\r\n\r\nabc`);
  assert.equal(en.status, 400);
  assert.match(en.text, /ambiguous request framing: two Content-Length headers/);
  assert.equal(smuggled(), 0);
  // the hidden request itself, sent plainly on a kept-alive connection, does run: the test can see it
  const ok = await exchange(srv, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n${h}`,
    null, { until: (t) => (t.match(/HTTP\/1\.1 \d{3} [A-Z]/g) || []).length === 2 && wholeResponse(t.slice(t.lastIndexOf('HTTP/1.1'))) });
  assert.equal(ok.count, 2, ok.text);
  assert.match(ok.text, /201 Created/);
  assert.equal(smuggled(), 1);
});

test('cleartext HTTP/2 is refused unless yunwei serve --h2c', async () => {
  const preface = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
  const off = await exchange(srv, preface);
  assert.equal(off.status, 400, off.text);
  const upgrade = await exchange(srv, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n',
    null, { until: wholeResponse });
  assert.equal(upgrade.status, 200);
  assert.doesNotMatch(upgrade.text, /101 Switching/);
  const h2 = await startServer({ args: ['--h2c'] });
  try {
    // the server's first frame: SETTINGS (type 4), not an HTTP/1 status line
    const on = await exchange(h2, preface + '\0\0\0\x04\0\0\0\0\0', null, { until: (t) => t.length >= 9 });
    assert.ok(!on.text.startsWith('HTTP/1.1'), on.text);
    assert.equal(on.data[3], 4);
  } finally {
    await h2.stop();
    h2.cleanup();
  }
});

test('connections beyond --max-connections get 503; a closed one frees its place', async () => {
  const s = await startServer({ args: ['--max-connections', '2'] });
  try {
    const idle = [];
    for (let i = 0; i < 2; i++) {
      const sock = net.connect(port(s), '127.0.0.1');
      await new Promise((r) => sock.on('connect', r));
      // answered once, so the server has accepted it
      sock.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => sock.once('data', r));
      idle.push(sock);
    }
    const busy = await exchange(s, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(busy.status, 503, busy.text);
    idle[0].destroy();
    let r;
    for (let i = 0; i < 200; i++) {
      r = await exchange(s, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      if (r.status === 200) break;
    }
    assert.equal(r.status, 200);
    idle[1].destroy();
  } finally {
    await s.stop();
    s.cleanup();
  }
});

test('every API response carries nosniff; a 405 carries Allow', async () => {
  const rs = [
    await srv.get('/api/v1/health'),
    await srv.get('/api/v1/tickets', { token: tok.lina }),
    await srv.get('/api/v1/nope', { token: tok.lina }),
    await srv.get('/api/v1/tickets'),
    await srv.post('/api/v1/auth/logout', undefined, { token: tok.lina }),
    await srv.req('DELETE', '/api/v1/tickets', { token: tok.lina }),
  ];
  for (const r of rs) assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${r.status} ${r.text}`);
  const m = rs[5];
  assert.equal(m.status, 405);
  assert.deepEqual(m.headers.get('allow').split(', ').sort(), ['GET', 'POST']);
  const one = await srv.req('DELETE', '/api/v1/health');
  assert.equal(one.status, 405);
  assert.equal(one.headers.get('allow'), 'GET');
});

test('the session cookie is Secure behind a TLS proxy (--tls-proxy), not on plain HTTP', async () => {
  const plain = await srv.login('lina', 'demo1234');
  assert.doesNotMatch(plain.setCookie, /Secure/i);
  const s = await startServer({ demo: true, args: ['--tls-proxy'] });
  try {
    const l = await s.login('lina', 'demo1234');
    assert.match(l.setCookie, /; Secure/);
    assert.match(l.setCookie, /HttpOnly/);
    const out = await s.post('/api/v1/auth/logout', undefined, { session: l });
    assert.match(out.headers.get('set-cookie'), /; Secure/);
  } finally {
    await s.stop();
    s.cleanup();
  }
});

test('with --web-root a directory is 404, not an empty 200', async () => {
  const s = await startServer({ args: ['--web-root', new URL('../../web', import.meta.url).pathname] });
  try {
    for (const p of ['/js', '/js/', '/i18n', '/css/']) {
      const r = await fetch(s.base + p);
      assert.equal(r.status, 404, p);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    }
    const idx = await fetch(s.base + '/index.html');
    assert.equal(idx.status, 200);
    assert.ok((await idx.text()).length > 100);
    assert.equal((await fetch(s.base + '/tickets/5')).status, 200);   // the app's own routes
  } finally {
    await s.stop();
    s.cleanup();
  }
  // the built-in files answer the same
  assert.equal((await fetch(srv.base + '/js')).status, 404);
});

test('titles and names refuse bidirectional controls; zero-width-only text is blank', async () => {
  const before = srv.snapshot();
  const bad = [
    [{ title: 'abc\u202Eexe.pdf' }, 'title', /双向控制字符/],
    [{ title: '\u2066隔离\u2069' }, 'title', /双向控制字符/],
    [{ title: '\u200B' }, 'title', /不能为空白/],
    [{ title: '\u200B\u200C\u200D\u2060\uFEFF \u3000' }, 'title', /不能为空白/],
  ];
  for (const [b, field, msg] of bad) {
    const r = await srv.post('/api/v1/tickets', { type: 'incident', requester_id: id.hd_sun, ...b }, { token: tok.zhangwei });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, field);
    assert.match(r.json.error.message, msg);
  }
  const p = await srv.patch(`/api/v1/tickets/${ticket.id}`, { title: '\u202Dx' }, { token: tok.zhangwei, headers: { 'If-Match': String(ticket.version) } });
  assert.equal(p.status, 400, p.text);
  const g = await srv.post('/api/v1/groups', { name: '\uFEFF\u200B' }, { token: tok.admin });
  assert.equal(g.status, 400, g.text);
  assert.equal(g.json.error.field, 'name');
  const u = await srv.post('/api/v1/uploads', { filename: 'invoice\u202Efdp.exe', size: 5 }, { token: tok.lina });
  assert.equal(u.status, 400, u.text);
  assert.equal(u.json.error.field, 'filename');
  assert.equal(srv.snapshot(), before);
  // descriptions may hold them (right-to-left text quoted in a report), and a zero-width joiner inside a title is text
  const ok = await srv.post('/api/v1/tickets', { type: 'incident', requester_id: id.hd_sun, title: '交换机\u200D告警', description: 'log: \u202Eabc' }, { token: tok.zhangwei });
  assert.equal(ok.status, 201, ok.text);
});
