// Error messages follow Accept-Language: zh-CN by default, English on
// request, the field named either way (issue 12, item 14). The CLI follows
// LC_ALL / LC_MESSAGES / LANG.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib.mjs';

let srv, admin;

before(async () => {
  srv = await startServer({ demo: true });
  admin = srv.token('admin');
});
after(async () => { await srv.stop(); srv.cleanup(); });

const EN = { 'Accept-Language': 'en' };

test('the same bad request: Chinese by default, English with Accept-Language: en, the field named', async () => {
  const before = srv.snapshot();
  const zh = await srv.post('/api/v1/tickets', { type: 'incident', title: '核心交换机端口故障', impact: 9 }, { token: admin });
  assert.equal(zh.status, 400, zh.text);
  assert.deepEqual(zh.json.error, { code: 'invalid_field', field: 'impact', message: 'impact 必须在 1 到 3 之间' });
  assert.equal(zh.headers.get('content-language'), 'zh-CN');
  assert.match(zh.headers.get('vary') || '', /Accept-Language/i);

  const en = await srv.post('/api/v1/tickets', { type: 'incident', title: '核心交换机端口故障', impact: 9 }, { token: admin, headers: EN });
  assert.equal(en.status, 400, en.text);
  assert.deepEqual(en.json.error, { code: 'invalid_field', field: 'impact', message: 'impact must be between 1 and 3' });
  assert.equal(en.headers.get('content-language'), 'en');

  // a missing field, and a value out of range in the query string
  let r = await srv.post('/api/v1/tickets', { type: 'incident' }, { token: admin });
  assert.equal(r.json.error.field, 'title');
  assert.equal(r.json.error.message, 'title 为必填项');
  r = await srv.get('/api/v1/tickets?limit=0', { token: admin, headers: EN });
  assert.equal(r.json.error.field, 'limit');
  assert.equal(r.json.error.message, 'limit must be an integer between 1 and 200');
  assert.equal(srv.snapshot(), before, 'a refused request changes nothing');
});

test('Accept-Language: q-values decide, any zh-* or en-* counts, anything else is zh-CN', async () => {
  const cases = [
    ['en-US,en;q=0.9', 'en'],
    ['EN-gb', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['en-US,en;q=0.9,zh-CN;q=0.8', 'en'],
    ['en;q=0.3, zh-CN', 'zh-CN'],
    ['zh;q=0.1, en;q=0.9', 'en'],
    ['zh-TW', 'zh-CN'],
    ['fr-FR', 'zh-CN'],
    ['fr-FR, en;q=0.5', 'en'],
    ['*', 'zh-CN'],
    ['', 'zh-CN'],
  ];
  for (const [value, want] of cases) {
    const r = await srv.get('/api/v1/tickets/999999', { token: admin, headers: { 'Accept-Language': value } });
    assert.equal(r.status, 404, value);
    assert.equal(r.json.error.field, 'id', value);
    assert.equal(r.json.error.message, want === 'en' ? 'no such ticket' : '没有这个工单', value);
    assert.equal(r.headers.get('content-language'), want, value);
  }
});

test('malformed JSON: the parser\'s place and reason in either language', async () => {
  const body = '{"type": "incident", "title": ';
  const zh = await srv.req('POST', '/api/v1/tickets', { token: admin, body, headers: { 'Content-Type': 'application/json' } });
  assert.equal(zh.status, 400);
  assert.equal(zh.json.error.code, 'malformed_json');
  assert.equal(zh.json.error.message, 'JSON 格式错误，位于第 1 行第 31 列：输入意外结束');
  const en = await srv.req('POST', '/api/v1/tickets', { token: admin, body, headers: { 'Content-Type': 'application/json', ...EN } });
  assert.equal(en.json.error.message, 'malformed JSON at line 1 column 31: unexpected end of input');
  const dup = await srv.req('POST', '/api/v1/tickets', { token: admin, body: '{"title": "a", "title": "b"}', headers: { 'Content-Type': 'application/json' } });
  assert.match(dup.json.error.message, /同一对象中有重复的键$/);
});

test('the dispatcher\'s own answers: no such endpoint, method, login, CSRF', async () => {
  const both = async (method, path, opts, status, code, zh, en) => {
    let r = await srv.req(method, path, opts);
    assert.equal(r.status, status, r.text);
    assert.equal(r.json.error.code, code);
    assert.equal(r.json.error.message, zh);
    r = await srv.req(method, path, { ...opts, headers: { ...(opts.headers || {}), ...EN } });
    assert.equal(r.json.error.message, en);
  };
  await both('GET', '/api/v1/no-such-thing', { token: admin }, 404, 'not_found', '没有这个接口', 'no such endpoint');
  await both('PUT', '/api/v1/tickets', { token: admin }, 405, 'method_not_allowed', '此处不允许 PUT 方法', 'method PUT not allowed here');
  await both('GET', '/api/v1/tickets', {}, 401, 'unauthorized', '请先登录', 'log in first');
  // a file the web UI does not have
  await both('GET', '/no-such-file.png', {}, 404, 'not_found', '没有这个页面', 'no such page');
  const session = await srv.login('lina', 'demo1234');
  const r = await srv.post('/api/v1/tickets', { type: 'incident', title: 'x' }, { session, csrf: false });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.field, 'X-CSRF-Token');
  assert.equal(r.json.error.message, '以 Cookie 登录的写操作缺少 X-CSRF-Token 或其值错误');
});

test('a status in a Chinese message is in the UI\'s words', async () => {
  const t = (await srv.post('/api/v1/tickets', { type: 'incident', title: '机房空调告警', channel: 'phone' }, { token: admin })).json;
  const r = await srv.post(`/api/v1/tickets/${t.id}/transitions`, { to: 'closed' }, { token: admin, headers: { 'If-Match': String(t.version) } });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'invalid_transition');
  assert.match(r.json.error.message, /^(状态为新建的工单不能改为已关闭|你不能把该工单从新建改为已关闭)$/);
});

test('the CLI: Chinese when LANG (or LC_MESSAGES, LC_ALL) starts with zh, else English', () => {
  const run = (args, env) => {
    try {
      srv.cli(args, { env });
    } catch (e) {
      return e.stderr;
    }
    assert.fail('the command should have failed: ' + args.join(' '));
  };
  const show = ['ticket', 'show', '999999', '--server', srv.base];
  // the server's message, asked for in the terminal's language
  assert.match(run(show, { YUNWEI_TOKEN: admin, LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' }), /^error: 没有这个工单 \(id\) \[HTTP 404\]/);
  assert.match(run(show, { YUNWEI_TOKEN: admin, LANG: 'en_US.UTF-8', LC_ALL: '', LC_MESSAGES: '' }), /^error: no such ticket \(id\) \[HTTP 404\]/);
  assert.match(run(show, { YUNWEI_TOKEN: admin, LANG: 'zh_CN.UTF-8', LC_ALL: 'C', LC_MESSAGES: '' }), /no such ticket/);
  assert.match(run(show, { YUNWEI_TOKEN: admin, LANG: 'C', LC_ALL: '', LC_MESSAGES: 'zh_CN.UTF-8' }), /没有这个工单/);
  // a message of its own, on the database directly
  const cust = ['user', 'add', 'sun.kehu', '--name', '孙客户', '--role', 'customer'];
  assert.match(run(cust, { LANG: 'zh_CN.UTF-8', LC_ALL: '', LC_MESSAGES: '' }), /客户必须填写 organization_id/);
  assert.match(run(cust, { LANG: 'en_US.UTF-8', LC_ALL: '', LC_MESSAGES: '' }), /organization_id is required for a customer/);
});
