// Login, logout, /me, cookies and CSRF, throttling, passwords and tokens.
// Failed logins count per (login, address), 5 in 15 minutes, and per
// address, 50: this file's shared server sees few of them, and the
// throttle itself is tested on servers of its own (login_throttle.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, ADMIN_PASSWORD, BIN } from './lib.mjs';

let srv, admin;

async function mkuser(login, role = 'engineer', extra = {}) {
  const r = await srv.post('/api/v1/users',
    { login, display_name: login, role, password: `${login}-pass-1`, ...extra }, { token: admin });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  srv = await startServer();
  admin = srv.token('admin');
});
after(async () => { await srv.stop(); srv.cleanup(); });

test('login sets an HttpOnly SameSite=Lax session cookie and returns the user and a CSRF token', async () => {
  const s = await srv.login('admin', ADMIN_PASSWORD);
  assert.match(s.setCookie, /^yw_session=[A-Za-z0-9_-]{40,}; /);
  assert.match(s.setCookie, /; HttpOnly/);
  assert.match(s.setCookie, /; SameSite=Lax/);
  assert.match(s.setCookie, /; Path=\//);
  assert.match(s.setCookie, /; Max-Age=43200/);
  assert.equal(s.user.login, 'admin');
  assert.equal(s.user.role, 'admin');
  assert.ok(s.csrf.length >= 40);
  assert.ok(!('password_hash' in s.user));
  // only the hash of the session id is stored
  const sid = s.cookie.split('=')[1];
  const rows = srv.sql('SELECT hex(id_hash) AS h FROM sessions');
  assert.ok(rows.length >= 1);
  assert.ok(rows.every((r) => !r.h.includes(Buffer.from(sid).toString('hex').toUpperCase())));
  // the login is audited
  const audit = srv.sql("SELECT action, actor_id FROM audit_log WHERE action = 'login'");
  assert.ok(audit.length >= 1);
});

test('wrong password and unknown user get the same 401', async () => {
  const a = await srv.post('/api/v1/auth/login', { username: 'admin', password: 'wrong-password' });
  const b = await srv.post('/api/v1/auth/login', { username: 'nobody-here', password: 'wrong-password' });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.json.error.code, 'unauthorized');
  assert.equal(a.json.error.message, b.json.error.message);
  const fails = srv.sql("SELECT detail FROM audit_log WHERE action = 'login.failed'");
  assert.equal(fails.length, 2);
  assert.ok(fails.some((f) => JSON.parse(f.detail).reason === 'bad_password'));
  assert.ok(fails.some((f) => JSON.parse(f.detail).reason === 'unknown_user'));
});

test('login rejects a malformed body with a field name', async () => {
  let r = await srv.post('/api/v1/auth/login', { username: 'admin' });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'password');
  r = await srv.post('/api/v1/auth/login', { username: 'admin', password: 'x', extra: 1 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'unknown_field');
});

test('/me by cookie includes the CSRF token and groups; by bearer, no CSRF token', async () => {
  const g = await srv.post('/api/v1/groups', { name: '网络组' }, { token: admin });
  assert.equal(g.status, 201);
  await mkuser('me.eng', 'engineer', { group_ids: [g.json.id] });
  const s = await srv.login('me.eng', 'me.eng-pass-1');
  let r = await srv.get('/api/v1/me', { session: s });
  assert.equal(r.status, 200);
  assert.equal(r.json.login, 'me.eng');
  assert.equal(r.json.csrf_token, s.csrf);
  assert.deepEqual(r.json.groups, [{ id: g.json.id, name: '网络组' }]);
  assert.deepEqual(r.json.group_ids, [g.json.id]);
  r = await srv.get('/api/v1/me', { token: admin });
  assert.equal(r.status, 200);
  assert.equal(r.json.login, 'admin');
  assert.ok(!('csrf_token' in r.json));
});

test('unauthenticated requests get 401 on everything but login and health', async () => {
  for (const [m, p] of [['GET', '/api/v1/me'], ['GET', '/api/v1/users'], ['GET', '/api/v1/users/1'],
    ['GET', '/api/v1/groups'], ['GET', '/api/v1/organizations'], ['GET', '/api/v1/categories'],
    ['GET', '/api/v1/tokens'], ['GET', '/api/v1/audit'], ['POST', '/api/v1/auth/logout'],
    ['DELETE', '/api/v1/tokens/1']]) {
    const r = await srv.req(m, p);
    assert.equal(r.status, 401, `${m} ${p}`);
    assert.equal(r.json.error.code, 'unauthorized');
  }
  const r = await srv.get('/api/v1/me', { token: 'yw_not-a-real-token' });
  assert.equal(r.status, 401);
  const c = await srv.get('/api/v1/me', { headers: { Cookie: 'yw_session=bogus' } });
  assert.equal(c.status, 401);
});

test('a cookie write without X-CSRF-Token is refused and writes nothing; bearer writes need none', async () => {
  const s = await srv.login('admin', ADMIN_PASSWORD);
  const before = srv.snapshot();
  let r = await srv.post('/api/v1/organizations', { name: '无令牌单位' }, { session: s, csrf: false });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'csrf_failed');
  r = await srv.post('/api/v1/organizations', { name: '无令牌单位' },
    { session: s, csrf: false, headers: { 'X-CSRF-Token': 'wrong' } });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'csrf_failed');
  assert.equal(srv.snapshot(), before);
  r = await srv.post('/api/v1/organizations', { name: '有令牌单位' }, { session: s });
  assert.equal(r.status, 201);
  r = await srv.post('/api/v1/organizations', { name: '令牌单位' }, { token: admin });
  assert.equal(r.status, 201);
});

test('logout deletes the session and clears the cookie; with a bearer token it is a no-op', async () => {
  const s = await srv.login('admin', ADMIN_PASSWORD);
  let r = await srv.post('/api/v1/auth/logout', undefined, { session: s });
  assert.equal(r.status, 204);
  assert.match(r.headers.get('set-cookie'), /^yw_session=; .*Max-Age=0/);
  r = await srv.get('/api/v1/me', { session: s });
  assert.equal(r.status, 401);
  r = await srv.post('/api/v1/auth/logout', undefined, { token: admin });
  assert.equal(r.status, 204);
  r = await srv.get('/api/v1/me', { token: admin });
  assert.equal(r.status, 200);
});

test('password change: own with current_password, keeps this session, ends the others', async () => {
  const u = await mkuser('pw.user');
  const s1 = await srv.login('pw.user', 'pw.user-pass-1');
  const s2 = await srv.login('pw.user', 'pw.user-pass-1');
  const path = `/api/v1/users/${u.id}/password`;
  const before = srv.snapshot();
  let r = await srv.post(path, { password: 'new-password-1' }, { session: s1 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'current_password');
  r = await srv.post(path, { password: 'new-password-1', current_password: 'not-it-at-all' }, { session: s1 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'current_password');
  r = await srv.post(path, { password: 'short', current_password: 'pw.user-pass-1' }, { session: s1 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'password');
  assert.equal(srv.snapshot(), before);

  r = await srv.post(path, { password: 'new-password-1', current_password: 'pw.user-pass-1' }, { session: s1 });
  assert.equal(r.status, 204);
  assert.equal((await srv.get('/api/v1/me', { session: s1 })).status, 200);
  assert.equal((await srv.get('/api/v1/me', { session: s2 })).status, 401);
  const s3 = await srv.login('pw.user', 'new-password-1');
  assert.equal(s3.user.id, u.id);
  const audit = srv.sql(`SELECT actor_id, detail FROM audit_log WHERE action = 'user.password' AND target_id = ${u.id}`);
  assert.equal(audit.length, 1);
  assert.equal(audit[0].actor_id, u.id);
  assert.equal(JSON.parse(audit[0].detail).self, true);

  // someone else's password: only an admin, and it ends all their sessions
  const other = await mkuser('pw.other');
  r = await srv.post(`/api/v1/users/${other.id}/password`, { password: 'hijacked-pass' }, { session: s3 });
  assert.equal(r.status, 403);
  r = await srv.post(path, { password: 'admin-set-pass' }, { token: admin });
  assert.equal(r.status, 204);
  assert.equal((await srv.get('/api/v1/me', { session: s1 })).status, 401);
  assert.equal((await srv.get('/api/v1/me', { session: s3 })).status, 401);
  assert.equal((await srv.login('pw.user', 'admin-set-pass')).user.id, u.id);
});

test('a disabled user can neither log in nor use its token or session; enabling brings no token back', async () => {
  const u = await mkuser('dis.user');
  const tok = srv.token('dis.user');
  const s = await srv.login('dis.user', 'dis.user-pass-1');
  assert.equal((await srv.get('/api/v1/me', { token: tok })).status, 200);
  let r = await srv.patch(`/api/v1/users/${u.id}`, { disabled: true }, { token: admin, headers: { 'If-Match': '1' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.disabled, true);
  assert.equal((await srv.get('/api/v1/me', { token: tok })).status, 401);
  assert.equal((await srv.get('/api/v1/me', { session: s })).status, 401);
  assert.equal(srv.sql(`SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${u.id}`)[0].n, 0);
  // disabling revoked the token, audited with the reason
  const rows = srv.sql(`SELECT id, revoked_at FROM api_tokens WHERE user_id = ${u.id}`);
  assert.equal(rows.length, 1);
  assert.ok(rows[0].revoked_at > 0);
  const rev = srv.sql(`SELECT actor_id, detail FROM audit_log WHERE action = 'token.revoke' AND target_id = ${rows[0].id}`);
  assert.equal(rev.length, 1);
  assert.deepEqual(JSON.parse(rev[0].detail), { user_id: u.id, reason: 'disabled' });
  r = await srv.post('/api/v1/auth/login', { username: 'dis.user', password: 'dis.user-pass-1' });
  assert.equal(r.status, 401);
  // enabling brings the session-less account back, but not the token
  r = await srv.patch(`/api/v1/users/${u.id}`, { disabled: false }, { token: admin, headers: { 'If-Match': '2' } });
  assert.equal(r.status, 200);
  assert.equal((await srv.get('/api/v1/me', { token: tok })).status, 401);
  r = await srv.get(`/api/v1/tokens?user_id=${u.id}`, { token: admin });
  assert.ok(r.json.items[0].revoked_at);
  assert.equal((await srv.login('dis.user', 'dis.user-pass-1')).user.id, u.id);
  const actions = srv.sql(`SELECT action FROM audit_log WHERE target_type = 'user' AND target_id = ${u.id} ORDER BY id`).map((x) => x.action);
  assert.ok(actions.includes('user.disable'));
  assert.ok(actions.includes('user.enable'));
});

test('disabling from the CLI revokes the tokens too', async () => {
  await mkuser('dis.cli');
  const tok = srv.token('dis.cli');
  assert.equal((await srv.get('/api/v1/me', { token: tok })).status, 200);
  srv.cli(['user', 'disable', 'dis.cli']);
  srv.cli(['user', 'enable', 'dis.cli']);
  assert.equal((await srv.get('/api/v1/me', { token: tok })).status, 401);
});

test("an admin's password reset revokes the user's tokens; the user's own change keeps them", async () => {
  const u = await mkuser('tok.reset');
  const path = `/api/v1/users/${u.id}/password`;
  const kept = srv.token('tok.reset');
  const s = await srv.login('tok.reset', 'tok.reset-pass-1');
  // own change: the scripts' token goes on working
  let r = await srv.post(path, { password: 'own-new-pass-1', current_password: 'tok.reset-pass-1' }, { session: s });
  assert.equal(r.status, 204, r.text);
  assert.equal((await srv.get('/api/v1/me', { token: kept })).status, 200);
  assert.equal(srv.sql(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'token.revoke' AND detail LIKE '%"user_id":${u.id},%'`)[0].n, 0);
  // a refused reset revokes nothing
  const other = srv.token((await mkuser('tok.notadmin')).login);
  assert.equal((await srv.post(path, { password: 'hijacked-pass' }, { token: other })).status, 403);
  r = await srv.post(path, { password: 'short' }, { token: admin });
  assert.equal(r.status, 400);
  assert.equal((await srv.get('/api/v1/me', { token: kept })).status, 200);
  // an admin's reset: every token of the user is revoked, audited, and stays revoked
  const second = srv.token('tok.reset');
  r = await srv.post(path, { password: 'admin-reset-pass' }, { token: admin });
  assert.equal(r.status, 204, r.text);
  assert.equal((await srv.get('/api/v1/me', { token: kept })).status, 401);
  assert.equal((await srv.get('/api/v1/me', { token: second })).status, 401);
  assert.equal(srv.sql(`SELECT COUNT(*) AS n FROM api_tokens WHERE user_id = ${u.id} AND revoked_at IS NULL`)[0].n, 0);
  const rev = srv.sql(`SELECT a.detail FROM audit_log a JOIN api_tokens t ON t.id = a.target_id
                       WHERE a.action = 'token.revoke' AND a.target_type = 'token' AND t.user_id = ${u.id}`);
  assert.equal(rev.length, 2);
  for (const x of rev) assert.deepEqual(JSON.parse(x.detail), { user_id: u.id, reason: 'password_reset' });
  // a new token made after the reset works
  const fresh = srv.token('tok.reset');
  assert.equal((await srv.get('/api/v1/me', { token: fresh })).status, 200);
  // so does the CLI's reset, as the system
  execFileSync(BIN, ['user', 'passwd', 'tok.reset', '--db', srv.db], { env: { ...process.env, YUNWEI_DB: '', YUNWEI_PASSWORD: 'cli-reset-pass-1' } });
  assert.equal((await srv.get('/api/v1/me', { token: fresh })).status, 401);
});

test('tokens: create shows the secret once, list hides it, revoke stops it', async () => {
  const u = await mkuser('tok.user');
  const s = await srv.login('tok.user', 'tok.user-pass-1');
  let r = await srv.post('/api/v1/tokens', { name: '监控脚本' }, { session: s });
  assert.equal(r.status, 201);
  assert.match(r.json.token, /^yw_[A-Za-z0-9_-]{40,}$/);
  assert.equal(r.json.user_id, u.id);
  assert.equal(r.json.name, '监控脚本');
  assert.equal(r.json.revoked_at, null);
  const secret = r.json.token, id = r.json.id;
  assert.equal((await srv.get('/api/v1/me', { token: secret })).json.login, 'tok.user');
  r = await srv.get('/api/v1/tokens', { session: s });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((t) => t.id), [id]);
  assert.ok(!('token' in r.json.items[0]) && !('token_hash' in r.json.items[0]));
  assert.equal(r.json.next_cursor, null);
  assert.equal(srv.sql(`SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = '${secret}'`)[0].n, 0);

  // others may not see, create for, or revoke it; an admin may
  const eng = srv.token((await mkuser('tok.other')).login);
  assert.equal((await srv.get(`/api/v1/tokens?user_id=${u.id}`, { token: eng })).status, 403);
  assert.equal((await srv.post('/api/v1/tokens', { name: 'x', user_id: u.id }, { token: eng })).status, 403);
  assert.equal((await srv.del(`/api/v1/tokens/${id}`, { token: eng })).status, 404);
  r = await srv.get(`/api/v1/tokens?user_id=${u.id}`, { token: admin });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((t) => t.id), [id]);

  r = await srv.del(`/api/v1/tokens/${id}`, { session: s });
  assert.equal(r.status, 204);
  assert.equal((await srv.get('/api/v1/me', { token: secret })).status, 401);
  assert.equal((await srv.del(`/api/v1/tokens/${id}`, { session: s })).status, 404);
  r = await srv.get('/api/v1/tokens', { session: s });
  assert.ok(r.json.items[0].revoked_at);
  const acts = srv.sql(`SELECT action FROM audit_log WHERE target_type = 'token' AND target_id = ${id} ORDER BY id`).map((x) => x.action);
  assert.deepEqual(acts, ['token.create', 'token.revoke']);

  // an admin creates one for another user, and revokes it
  r = await srv.post('/api/v1/tokens', { name: 'for-user', user_id: u.id }, { token: admin });
  assert.equal(r.status, 201);
  assert.equal(r.json.user_id, u.id);
  assert.equal((await srv.del(`/api/v1/tokens/${r.json.id}`, { token: admin })).status, 204);
  r = await srv.post('/api/v1/tokens', { name: '' }, { session: s });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'name');
});

test('CLI token create prints the secret once and token revoke stops it', async () => {
  await mkuser('cli.tok');
  const out = srv.cli(['token', 'create', 'cli.tok', '--name', 'nightly']);
  const secret = out.match(/yw_[A-Za-z0-9_-]+/)[0];
  const id = Number(out.match(/token (\d+)/)[1]);
  assert.equal((await srv.get('/api/v1/me', { token: secret })).json.login, 'cli.tok');
  const row = srv.sql(`SELECT name, user_id FROM api_tokens WHERE id = ${id}`)[0];
  assert.equal(row.name, 'nightly');
  srv.cli(['token', 'revoke', String(id)]);
  assert.equal((await srv.get('/api/v1/me', { token: secret })).status, 401);
  assert.throws(() => srv.cli(['token', 'create', 'no-such-user']), /no user/);
});

test('the 6th failed login in a row is throttled with 429 and Retry-After, and audited', async () => {
  const s2 = await startServer();
  try {
    for (let i = 0; i < 5; i++) {
      const r = await s2.post('/api/v1/auth/login', { username: 'admin', password: `wrong-${i}-password` });
      assert.equal(r.status, 401);
    }
    let r = await s2.post('/api/v1/auth/login', { username: 'admin', password: 'wrong-5-password' });
    assert.equal(r.status, 429);
    assert.equal(r.json.error.code, 'too_many_requests');
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(ra > 0 && ra <= 900, `Retry-After ${ra}`);
    // even the right password waits
    r = await s2.post('/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    assert.equal(r.status, 429);
    assert.ok(r.headers.get('retry-after'));
    const acts = s2.sql("SELECT action FROM audit_log WHERE action LIKE 'login%' ORDER BY id").map((x) => x.action);
    assert.equal(acts.filter((a) => a === 'login.failed').length, 5);
    // audited once, when the fifth failure started it; the refusals wrote nothing
    assert.equal(acts.filter((a) => a === 'login.throttled').length, 1);
    assert.ok(!acts.includes('login'));
  } finally {
    await s2.stop();
    s2.cleanup();
  }
});
