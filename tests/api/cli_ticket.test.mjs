// The CLI's ticket commands against a real server: `yunwei ticket
// create|list|show|comment|assign|resolve` with YUNWEI_TOKEN and --server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, BIN } from './lib.mjs';

let srv, engineerToken, supervisorToken, customerToken;
before(async () => {
  srv = await startServer({ demo: true });
  engineerToken = srv.token('lina');
  supervisorToken = srv.token('chenjing');
  customerToken = srv.token('xn_li');
});
after(async () => { await srv.stop(); srv.cleanup(); });

function yw(args, token = engineerToken, input) {
  const r = spawnSync(BIN, ['ticket', ...args, '--server', srv.base], {
    encoding: 'utf8', input,
    env: { ...process.env, YUNWEI_TOKEN: token ?? '', YUNWEI_DB: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const userId = (login) => srv.sql(`SELECT id FROM users WHERE login = '${login}'`)[0].id;
const groupId = (name) => srv.sql(`SELECT id FROM groups WHERE name = '${name}'`)[0].id;

test('create, list, show, comment, assign and resolve a ticket from the CLI', () => {
  let r = yw(['create', '--title', '核心交换机宕机', '--type', 'incident', '--impact', '1', '--urgency', '1',
    '--description', '机房A 核心交换机无响应', '--channel', 'phone', '--json']);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out);
  assert.match(t.number, /^INC\d{6}$/);
  assert.equal(t.priority, 'P1');

  r = yw(['list', '--q', '宕机']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /NUMBER/);
  assert.ok(r.out.includes(t.number), r.out);
  assert.ok(r.out.includes('核心交换机宕机'));

  r = yw(['comment', String(t.id), '--body', '已安排现场排查']);
  assert.equal(r.code, 0, r.err);
  r = yw(['comment', String(t.id), '--internal', '--body', '-'], engineerToken, '怀疑电源模块故障\n');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /internal note/);

  // dispatching to a group is the supervisor's (陈静 leads 基础网络室)
  r = yw(['assign', String(t.id), '--group', String(groupId('基础网络室')), '--assignee', String(userId('lina'))], supervisorToken);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /李娜/);
  assert.match(r.out, /assigned/);

  r = yw(['show', String(t.id)]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /已安排现场排查/);
  assert.match(r.out, /怀疑电源模块故障/);
  assert.match(r.out, /基础网络室/);

  // resolving straight from assigned is not in the life-cycle table
  r = yw(['resolve', String(t.id), '--code', 'fixed']);
  assert.equal(r.code, 1);
  assert.match(r.err, /HTTP 409/);
  assert.match(r.err, /allowed:.*in_progress/);

  const move = srv.post(`/api/v1/tickets/${t.id}/transitions`, { to: 'in_progress' }, { token: engineerToken });
  return move.then((m) => {
    assert.equal(m.status, 200, m.text);
    r = yw(['resolve', String(t.id), '--code', 'fixed', '--notes', '更换电源模块后恢复']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /resolved/);
    r = yw(['show', String(t.id), '--json']);
    const shown = JSON.parse(r.out);
    assert.equal(shown.status, 'resolved');
    assert.equal(shown.resolution_code, 'fixed');
    assert.ok(shown.timeline.some((e) => e.body === '怀疑电源模块故障'));
  });
});

test('a customer sees no internal note through the CLI either', () => {
  const r = yw(['create', '--title', '专线中断', '--type', 'incident', '--channel', 'portal', '--json'], customerToken);
  assert.equal(r.code, 0, r.err);
  const t = JSON.parse(r.out);
  let e = yw(['comment', String(t.id), '--internal', '--body', '客户网络侧问题，内部讨论'], engineerToken);
  assert.equal(e.code, 0, e.err);
  e = yw(['show', String(t.id)], customerToken);
  assert.equal(e.code, 0, e.err);
  assert.ok(!e.out.includes('内部讨论'), e.out);
  // another organisation's ticket does not exist for this customer
  const other = srv.sql("SELECT id FROM tickets WHERE org_id != (SELECT org_id FROM users WHERE login = 'xn_li') LIMIT 1")[0].id;
  e = yw(['show', String(other)], customerToken);
  assert.equal(e.code, 1);
  assert.match(e.err, /HTTP 404/);
});

test('usage errors exit 2, refused requests exit 1', () => {
  assert.equal(yw(['create']).code, 2);
  assert.equal(yw(['frobnicate']).code, 2);
  assert.equal(yw(['show', 'abc']).code, 2);
  assert.equal(yw(['list'], '').code, 2);           // no token
  const r = yw(['list'], 'yw_not-a-token');
  assert.equal(r.code, 1);
  assert.match(r.err, /HTTP 401/);
  const bad = yw(['create', '--title', 'x', '--impact', '9']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /impact/);
});
