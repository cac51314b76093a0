// The login throttle (issue 12, items 3 and 4): failures count per (login,
// client address) and per address; the client address comes from
// X-Forwarded-For only when the peer is a trusted proxy; refused attempts
// write nothing. The tests connect from 127.0.0.1: `proxied` trusts it, so
// X-Forwarded-For stands for the client's address there; `direct` does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, ADMIN_PASSWORD, BIN } from './lib.mjs';

let proxied, direct, admin;

before(async () => {
  proxied = await startServer({ args: ['--trusted-proxy', '10.9.0.0/16,127.0.0.1/32'] });
  direct = await startServer();
  admin = proxied.token('admin');
  for (const login of ['owner', 'other', 'bystander'])
    assert.equal((await proxied.post('/api/v1/users',
      { login, display_name: login, role: 'engineer', password: `${login}-pass-1` }, { token: admin })).status, 201);
});
after(async () => {
  for (const s of [proxied, direct]) { await s.stop(); s.cleanup(); }
});

function login(srv, username, password, from) {
  const headers = from ? { 'X-Forwarded-For': from } : {};
  return srv.post('/api/v1/auth/login', { username, password }, { headers });
}

async function failFive(srv, username, from) {
  for (let i = 0; i < 5; i++)
    assert.equal((await login(srv, username, `wrong-password-${i}`, from)).status, 401);
}

function assertThrottled(r) {
  assert.equal(r.status, 429, r.text);
  assert.equal(r.json.error.code, 'too_many_requests');
  const ra = Number(r.headers.get('retry-after'));
  assert.ok(ra > 0 && ra <= 900, `Retry-After ${ra}`);
}

function count(srv, where) {
  return srv.sql(`SELECT COUNT(*) AS n FROM audit_log WHERE ${where}`)[0].n;
}

test('a login throttled from one address still works from another, and other users there log in', async () => {
  await failFive(proxied, 'owner', '203.0.113.10');
  assertThrottled(await login(proxied, 'owner', 'owner-pass-1', '203.0.113.10'));
  // the login's case does not make a fresh count
  assertThrottled(await login(proxied, 'OWNER', 'owner-pass-1', '203.0.113.10'));
  assert.equal((await login(proxied, 'owner', 'owner-pass-1', '198.51.100.20')).status, 200);
  assert.equal((await login(proxied, 'other', 'other-pass-1', '203.0.113.10')).status, 200);
  // an IPv6 client counts by its /64: another address in it is the same client
  await failFive(proxied, 'bystander', '2001:db8:1:2::1');
  assertThrottled(await login(proxied, 'bystander', 'bystander-pass-1', '2001:db8:1:2::99'));
  assert.equal((await login(proxied, 'bystander', 'bystander-pass-1', '2001:db8:1:3::1')).status, 200);
});

test('no one can lock the admin out from everywhere', async () => {
  await failFive(proxied, 'admin', '203.0.113.66');
  assertThrottled(await login(proxied, 'admin', ADMIN_PASSWORD, '203.0.113.66'));
  const r = await login(proxied, 'admin', ADMIN_PASSWORD, '192.0.2.1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.login, 'admin');
});

test('the per-address limit stops password spraying across many logins', async () => {
  const from = '203.0.113.77';
  // one guess for each of 50 logins: never 5 for any one of them
  for (let i = 0; i < 50; i++)
    assert.equal((await login(proxied, i ? `spray-${i}` : 'bystander', 'Spring2026!', from)).status, 401, `guess ${i}`);
  assert.equal(count(proxied, `action = 'login.throttled' AND ip = '${from}'`), 1);
  assert.equal(count(proxied, `action = 'login.throttled' AND ip = '${from}' AND detail LIKE '%"scope":"address"%'`), 1);
  // the address has 50 failures: every login from it waits, with the right password too
  assertThrottled(await login(proxied, 'spray-50', 'Spring2026!', from));
  assertThrottled(await login(proxied, 'other', 'other-pass-1', from));
  // elsewhere the same user logs in
  assert.equal((await login(proxied, 'other', 'other-pass-1', '198.51.100.21')).status, 200);
});

test('X-Forwarded-For from a trusted proxy: the right-most untrusted address; malformed, the peer', async () => {
  let r = await login(proxied, 'other', 'other-pass-1', '192.0.2.200, 198.51.100.50, 10.9.3.4');
  assert.equal(r.status, 200);
  const lastIp = (srv) => srv.sql("SELECT ip FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1")[0].ip;
  assert.equal(lastIp(proxied), '198.51.100.50');
  r = await login(proxied, 'other', 'other-pass-1', '2001:DB8::5');
  assert.equal(r.status, 200);
  assert.equal(lastIp(proxied), '2001:db8::5');
  for (const bad of ['unknown', '198.51.100.50:4711', '192.0.2.1, junk', '192.0.2.1,', '[2001:db8::5]']) {
    r = await login(proxied, 'other', 'other-pass-1', bad);
    assert.equal(r.status, 200);
    assert.equal(lastIp(proxied), '127.0.0.1', bad);
  }
});

test('X-Forwarded-For from an untrusted peer is ignored', async () => {
  const r = await login(direct, 'admin', ADMIN_PASSWORD, '198.51.100.50');
  assert.equal(r.status, 200);
  assert.equal(direct.sql("SELECT ip FROM audit_log WHERE action = 'login' ORDER BY id DESC LIMIT 1")[0].ip, '127.0.0.1');
  // so a client cannot dodge its throttle by naming another address
  await failFive(direct, 'nobody', '203.0.113.1');
  assertThrottled(await login(direct, 'nobody', 'x-password', '203.0.113.2'));
  assertThrottled(await login(direct, 'nobody', 'x-password'));
});

test('YUNWEI_TRUSTED_PROXIES trusts like the option; a malformed list stops the server with the reason', async () => {
  process.env.YUNWEI_TRUSTED_PROXIES = '127.0.0.0/8';
  let s;
  try {
    s = await startServer();
  } finally {
    delete process.env.YUNWEI_TRUSTED_PROXIES;
  }
  try {
    assert.equal((await login(s, 'admin', ADMIN_PASSWORD, '198.51.100.60')).status, 200);
    assert.equal(s.sql("SELECT ip FROM audit_log WHERE action = 'login'")[0].ip, '198.51.100.60');
  } finally {
    await s.stop();
    s.cleanup();
  }
  for (const [args, env, name] of [
    [['--trusted-proxy', '10.0.0.0/33'], {}, '--trusted-proxy'],
    [[], { YUNWEI_TRUSTED_PROXIES: 'proxy.example' }, 'YUNWEI_TRUSTED_PROXIES'],
  ]) {
    assert.throws(() => execFileSync(BIN, ['serve', '--db', proxied.db, '--listen', '127.0.0.1:0', ...args],
      { env: { ...process.env, ...env }, stdio: 'pipe', timeout: 20000 }),
    (e) => e.status !== 0 && e.stderr.toString().includes(name));
  }
});

test('refused attempts write nothing: one audit row per window, still 429 with Retry-After', async () => {
  const s = await startServer();
  try {
    for (let i = 0; i < 5; i++)
      assert.equal((await login(s, 'admin', `wrong-password-${i}`)).status, 401);
    const audit = s.sql('SELECT COUNT(*) AS n, MAX(id) AS last FROM audit_log')[0];
    const failures = JSON.stringify(s.sql('SELECT * FROM login_failures ORDER BY key'));
    assert.equal(count(s, "action = 'login.failed'"), 5);
    assert.equal(count(s, "action = 'login.throttled'"), 1);
    const attempts = [];
    for (let i = 0; i < 40; i++)
      attempts.push(login(s, i % 2 ? 'admin' : 'ADMIN', i % 4 ? `wrong-${i}-password` : ADMIN_PASSWORD));
    for (const r of await Promise.all(attempts))
      assertThrottled(r);
    assert.deepEqual(s.sql('SELECT COUNT(*) AS n, MAX(id) AS last FROM audit_log')[0], audit);
    assert.equal(JSON.stringify(s.sql('SELECT * FROM login_failures ORDER BY key')), failures);
    // after a restart the store still knows, and still nothing is written
    await s.stop();
    const again = await startServer({ dir: s.dir });
    try {
      assertThrottled(await login(again, 'admin', ADMIN_PASSWORD));
      assertThrottled(await login(again, 'admin', ADMIN_PASSWORD));
      assert.deepEqual(again.sql('SELECT COUNT(*) AS n, MAX(id) AS last FROM audit_log')[0], audit);
      assert.equal(JSON.stringify(again.sql('SELECT * FROM login_failures ORDER BY key')), failures);
    } finally {
      await again.stop();
    }
  } finally {
    s.cleanup();
  }
});
