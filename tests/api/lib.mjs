// Shared harness for the API tests: starts the real `yunwei serve` on a
// free loopback port with a fresh database, and talks to it with fetch.
import { spawn, execFileSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export const BIN = process.env.YUNWEI_BIN || new URL('../../build/yunwei', import.meta.url).pathname;
export const ADMIN_PASSWORD = 'admin-pass-123';

// The sqlite3 shell waits for a lock the running server holds (a job's lease, a
// checkpoint) instead of failing at once with "database is locked".
const SQLITE_WAIT = ['-cmd', '.timeout 5000'];

// Columns snapshot() leaves out: written by requests that change nothing else.
const SNAPSHOT_SKIP_COLUMNS = { api_tokens: ['last_used_at'] };

// Starts a server. opts.demo loads the demo data; opts.dir reuses a
// directory (for restart tests). Returns a handle with api helpers.
export async function startServer(opts = {}) {
  const dir = opts.dir || mkdtempSync(join(tmpdir(), 'yunwei-test-'));
  const db = join(dir, 'yunwei.db');
  const env = { ...process.env, YUNWEI_ADMIN_PASSWORD: ADMIN_PASSWORD, YUNWEI_DB: '' };
  if (!opts.dir) {
    const args = ['init', '--db', db];
    if (opts.demo) args.push('--demo');
    execFileSync(BIN, args, { env, stdio: 'pipe' });
  }
  const proc = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...(opts.args || [])],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start:\n' + log)), 10000);
    const onData = (d) => {
      log += d;
      const m = log.match(/serving (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    proc.stderr.on('data', onData);
    proc.stdout.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${log}`)); });
  });
  const srv = new Server(base, dir, db, proc);
  srv.getLog = () => log;
  return srv;
}

export class Server {
  constructor(base, dir, db, proc) {
    this.base = base; this.dir = dir; this.db = db; this.proc = proc;
  }

  // Raw request. opts: { token, session (from login), body (object → JSON,
  // string/Buffer → as is), headers, csrf (false to omit) }.
  // this.headers (e.g. { 'Accept-Language': 'en' }) go with every request.
  async req(method, path, opts = {}) {
    const headers = { ...(this.headers || {}), ...(opts.headers || {}) };
    let body = opts.body;
    if (body !== undefined && typeof body === 'object' && !(body instanceof Buffer) && !(body instanceof Uint8Array)) {
      body = JSON.stringify(body);
      if (!('content-type' in lower(headers))) headers['Content-Type'] = 'application/json';
    }
    if (opts.token) headers['Authorization'] = `Bearer ${opts.token}`;
    if (opts.session) {
      headers['Cookie'] = opts.session.cookie;
      if (opts.csrf !== false && method !== 'GET') headers['X-CSRF-Token'] = opts.session.csrf;
    }
    let res;
    try {
      res = await fetch(this.base + path, { method, headers, body });
    } catch (e) {
      // A test that blocks Node for longer than the server's 10 s keep-alive
      // timeout (a big execFileSync) can hand fetch a pooled socket the
      // server has already closed, before undici's own timer drops it: the
      // request never reached the server, so a GET is safely sent again.
      if (method !== 'GET' || e.cause?.code !== 'UND_ERR_SOCKET') throw e;
      res = await fetch(this.base + path, { method, headers, body });
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: res.status, headers: res.headers, json, text };
  }

  get(path, opts) { return this.req('GET', path, opts); }
  post(path, body, opts = {}) { return this.req('POST', path, { ...opts, body }); }
  patch(path, body, opts = {}) { return this.req('PATCH', path, { ...opts, body }); }
  put(path, body, opts = {}) { return this.req('PUT', path, { ...opts, body }); }
  del(path, opts) { return this.req('DELETE', path, opts); }

  // Logs in; returns { cookie, csrf, user } or throws with the response.
  async login(username, password) {
    const r = await this.post('/api/v1/auth/login', { username, password });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
    const set = r.headers.get('set-cookie');
    const cookie = set.split(';')[0];
    return { cookie, csrf: r.json.csrf_token, user: r.json.user, setCookie: set };
  }

  // A bearer token for a user, made with the CLI against the database.
  token(login) {
    const out = execFileSync(BIN, ['token', 'create', login, '--db', this.db, '--name', 'test'],
      { encoding: 'utf8', env: { ...process.env, YUNWEI_DB: '' } });
    const m = out.match(/yw_[A-Za-z0-9_-]+/);
    if (!m) throw new Error('no token in: ' + out);
    return m[0];
  }

  // Runs the CLI against this server's database.
  cli(args, opts = {}) {
    return execFileSync(BIN, args, { encoding: 'utf8', env: { ...process.env, YUNWEI_DB: this.db, ...(opts.env || {}) }, stdio: opts.stdio || 'pipe' });
  }

  // A digest of every record a rejected request must not change (the
  // audit log, sessions and login throttle rows excepted: writing those
  // is the point of some rejections; so is a bearer token's last_used_at,
  // which any authenticated request may write, and with it the cache
  // generations, which follow every write to their tables; and the search
  // index with its marks, which the server drains in the background after
  // earlier writes; and the background jobs' leases, which the server
  // renews while it runs).
  snapshot() {
    const out = execFileSync('sqlite3', [...SQLITE_WAIT, this.db,
      "SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN ('audit_log','sessions','login_failures','cache_gen','search_pending','job_leases') AND name NOT LIKE 'ticket_fts%' AND name NOT LIKE 'sqlite_%' ORDER BY name"],
      { encoding: 'utf8' });
    const h = createHash('sha256');
    for (const t of out.split('\n').filter(Boolean)) {
      let cols = '*';
      if (SNAPSHOT_SKIP_COLUMNS[t]) {
        cols = this.sql(`SELECT name FROM pragma_table_info('${t}')`).map((c) => c.name)
          .filter((c) => !SNAPSHOT_SKIP_COLUMNS[t].includes(c)).map((c) => `"${c}"`).join(', ');
      }
      h.update(t);
      h.update(execFileSync('sqlite3', [...SQLITE_WAIT, '-json', this.db, `SELECT ${cols} FROM "${t}" ORDER BY rowid`], { encoding: 'utf8', maxBuffer: 1 << 28 }));
    }
    return h.digest('hex');
  }

  sql(query) {
    const out = execFileSync('sqlite3', [...SQLITE_WAIT, '-json', this.db, query], { encoding: 'utf8' });
    return out.trim() ? JSON.parse(out) : [];
  }

  async stop(signal = 'SIGTERM') {
    if (this.proc.exitCode !== null) return this.proc.exitCode;
    const done = new Promise((r) => this.proc.once('exit', (code, sig) => r(code ?? sig)));
    this.proc.kill(signal);
    return done;
  }

  // Every reference in the database still holds when a test file is done.
  // The server's writer thread (ticket creation) writes with SQLite's
  // foreign keys off and relies on the domain's checks (src/http/batch.c),
  // so every file that creates tickets checks them here.
  cleanup() {
    let bad = [];
    if (existsSync(this.db)) bad = this.sql('PRAGMA foreign_key_check');
    rmSync(this.dir, { recursive: true, force: true });
    if (bad.length) throw new Error(`foreign keys broken: ${JSON.stringify(bad.slice(0, 10))}`);
  }
}

function lower(h) { return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v])); }

// A raw HTTP/1.1 exchange on one connection (for what fetch cannot send,
// or cannot read: an answer that comes before the body is sent). Writes head and body, and resolves when the server
// closed the connection, or `until` says the answer is whole, with every
// byte received.
export function exchange(s, head, body, { until } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(new URL(s.base).port), '127.0.0.1');
    const chunks = [];
    let closed = false, done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const data = Buffer.concat(chunks);
      const text = data.toString('latin1');
      const m = text.match(/^HTTP\/1\.1 (\d{3})/);
      resolve({ status: m ? Number(m[1]) : 0, text, data, closed, count: (text.match(/HTTP\/1\.1 \d{3} [A-Z]/g) || []).length });
      sock.destroy();
    };
    sock.on('data', (d) => {
      chunks.push(d);
      if (until && until(Buffer.concat(chunks).toString('latin1'))) finish();
    });
    sock.on('error', (e) => { if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') reject(e); });
    sock.on('close', () => { closed = true; finish(); });
    sock.on('connect', () => {
      sock.write(head);
      if (body) sock.write(body);
    });
  });
}

export const wholeResponse = (t) => {
  const i = t.indexOf('\r\n\r\n');
  if (i < 0) return false;
  const m = t.match(/content-length: *(\d+)/i);
  return m && t.length >= i + 4 + Number(m[1]);
};
