// Schema migrations: numbered, recorded, idempotent, and a database written
// by a newer yunwei is refused with a message instead of being touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from './lib.mjs';

function yw(args, env = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, YUNWEI_DB: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function sql(db, q) {
  const r = spawnSync('sqlite3', [db, q], { encoding: 'utf8' });
  return r.stdout.trim();
}

test('init migrates a new database once and records every migration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yunwei-mig-'));
  const db = join(dir, 'y.db');
  try {
    let r = yw(['init', '--db', db], { YUNWEI_ADMIN_PASSWORD: 'admin-pass-123' });
    assert.equal(r.code, 0, r.err);
    const applied = Number(sql(db, 'SELECT COUNT(*) FROM schema_migrations'));
    const top = Number(sql(db, 'SELECT MAX(version) FROM schema_migrations'));
    assert.ok(applied >= 5 && top >= 5, `${applied} migrations up to ${top}`);
    assert.match(r.out, new RegExp(`schema version ${top} \\(${applied} migrations applied\\)`));
    assert.match(r.out, /created user admin/);
    // a second init changes nothing and creates no second admin
    r = yw(['init', '--db', db], { YUNWEI_ADMIN_PASSWORD: 'admin-pass-123' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\(0 migrations applied\)/);
    assert.doesNotMatch(r.out, /created user admin/);
    assert.equal(sql(db, 'SELECT COUNT(*) FROM users'), '1');
    // YUNWEI_DB is the default for --db
    r = yw(['init'], { YUNWEI_DB: db });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a generated admin password is printed once and works', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yunwei-mig-'));
  const db = join(dir, 'y.db');
  try {
    const r = yw(['init', '--db', db]);
    assert.equal(r.code, 0, r.err);
    const m = r.out.match(/password: (\S+)/);
    assert.ok(m, r.out);
    assert.ok(m[1].length >= 16);
    assert.match(sql(db, "SELECT password_hash FROM users WHERE login = 'admin'"), /^\$argon2id\$/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a database from a newer yunwei is refused and left alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yunwei-mig-'));
  const db = join(dir, 'y.db');
  try {
    assert.equal(yw(['init', '--db', db], { YUNWEI_ADMIN_PASSWORD: 'admin-pass-123' }).code, 0);
    sql(db, "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 0)");
    const before = sql(db, 'SELECT COUNT(*) FROM schema_migrations');
    for (const args of [['init', '--db', db], ['serve', '--db', db, '--listen', '127.0.0.1:0']]) {
      const r = yw(args);
      assert.equal(r.code, 1, `${args[0]}: ${r.out} ${r.err}`);
      assert.match(r.err, /schema version 9999 is newer than this yunwei knows/);
    }
    assert.equal(sql(db, 'SELECT COUNT(*) FROM schema_migrations'), before);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the command line explains itself and refuses bad usage with exit 2', () => {
  let r = yw(['help']);
  assert.equal(r.code, 0);
  for (const cmd of ['init', 'serve', 'user', 'token', 'ticket', 'calendar', 'sla']) assert.match(r.out, new RegExp(`yunwei ${cmd}`));
  r = yw(['help', 'serve']);
  assert.equal(r.code, 0);
  assert.match(r.out, /--listen/);
  assert.equal(yw(['frobnicate']).code, 2);
  assert.equal(yw(['help', 'frobnicate']).code, 2);
  assert.equal(yw(['serve', '--threads', '0']).code, 2);
  assert.equal(yw(['serve', '--listen']).code, 2);
  assert.equal(yw(['init', '--bogus']).code, 2);
});
