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

// What 0011 added, to put a database back to schema 10.
const DROP_0011 = ['ticket_links', 'sla_coordinations'].flatMap((t) => ['insert', 'delete', 'update']
  .map((op) => `DROP TRIGGER ${t}_count_${op};`)).join(' ') +
  ' ALTER TABLE tickets DROP COLUMN link_count; ALTER TABLE tickets DROP COLUMN coordination_count;';
// undoes 0012: the desk group flag and the organisations' and categories' defaults
const DROP_0012 = 'DROP INDEX groups_one_desk; ALTER TABLE groups DROP COLUMN is_desk;' +
  ' ALTER TABLE organizations DROP COLUMN default_group_id; ALTER TABLE organizations DROP COLUMN default_impact;' +
  ' ALTER TABLE categories DROP COLUMN default_impact;';

// 0008 rebuilds sla_clocks with foreign keys off. Here the demo database is
// put back to schema 7 (the old table, its CHECKs written with IN, and no
// table or trigger of the later migrations), and init
// runs 0008 again: every clock keeps its columns, the timers and
// coordinations still point at them, and the keys are on again afterwards.
test('0008 rebuilds sla_clocks keeping every clock, timer and reference', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yunwei-mig-'));
  const db = join(dir, 'y.db');
  try {
    let r = yw(['init', '--db', db, '--demo'], { YUNWEI_ADMIN_PASSWORD: 'admin-pass-123' });
    assert.equal(r.code, 0, r.err);
    const cols = 'id, ticket_id, target, cycle, current, policy_id, calendar_id, target_minutes, started_at,' +
      ' running_since, consumed, paused, due_at, warn_at, stopped_at, result';
    const clocks = sql(db, `SELECT ${cols} FROM sla_clocks ORDER BY id`);
    assert.ok(clocks.split('\n').length >= 10, clocks);
    const timers = sql(db, 'SELECT COUNT(*) FROM sla_timers');
    assert.ok(Number(timers) > 0);
    const old = sql(db, "SELECT sql FROM sqlite_schema WHERE name = 'sla_clocks'")
      .replace("target = 'response' OR target = 'onsite' OR target = 'resolution'", "target IN ('response','onsite','resolution')")
      .replace("result = 'met' OR result = 'breached' OR result = 'cancelled'", "result IN ('met','breached','cancelled')")
      .replace(/^CREATE TABLE [^(]*\(/, 'CREATE TABLE sla_clocks_old (');
    assert.match(old, /target IN \(/);
    sql(db, `PRAGMA foreign_keys = OFF; BEGIN; ${old}; INSERT INTO sla_clocks_old SELECT * FROM sla_clocks;
      DROP TABLE sla_clocks; ALTER TABLE sla_clocks_old RENAME TO sla_clocks;
      CREATE INDEX sla_clocks_ticket ON sla_clocks(ticket_id, target, cycle);
      CREATE INDEX sla_clocks_due ON sla_clocks(due_at) WHERE current = 1 AND running_since IS NOT NULL;
      DROP TABLE search_pending;
      ${['calendars', 'calendar_windows', 'calendar_days'].flatMap((t) => ['insert', 'update', 'delete']
    .map((op) => `DROP TRIGGER ${t}_gen_${op};`)).join(' ')}
      ${DROP_0011} ${DROP_0012}
      DELETE FROM schema_migrations WHERE version >= 8; COMMIT;`);
    assert.match(sql(db, "SELECT sql FROM sqlite_schema WHERE name = 'sla_clocks'"), /target IN \(/);

    r = yw(['init', '--db', db], { YUNWEI_ADMIN_PASSWORD: 'admin-pass-123' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /applied/);
    const now = sql(db, "SELECT sql FROM sqlite_schema WHERE name = 'sla_clocks'");
    assert.doesNotMatch(now, / IN \(/);
    assert.match(now, /target = 'response' OR/);
    assert.equal(sql(db, `SELECT ${cols} FROM sla_clocks ORDER BY id`), clocks);
    assert.equal(sql(db, 'SELECT COUNT(*) FROM sla_timers'), timers);
    assert.equal(sql(db, 'PRAGMA foreign_key_check'), '');
    assert.equal(sql(db, 'PRAGMA integrity_check'), 'ok');
    assert.equal(sql(db, "SELECT COUNT(*) FROM sqlite_schema WHERE name LIKE 'sla_clocks_%' AND type = 'index'"), '2');
    // the CHECKs still refuse what they refused
    const bad = spawnSync('sqlite3', [db, "UPDATE sla_clocks SET target = 'lunch' WHERE id = 1"], { encoding: 'utf8' });
    assert.match(bad.stderr, /CHECK constraint failed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// 0011 counts on each ticket the links and coordination meetings it
// already has, and its triggers keep counting whatever writes the rows.
test('0011 counts the links and meetings tickets already have, and keeps counting', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yunwei-mig-'));
  const db = join(dir, 'y.db');
  try {
    let r = yw(['init', '--db', db, '--demo'], { YUNWEI_ADMIN_PASSWORD: 'admin-pass-123' });
    assert.equal(r.code, 0, r.err);
    sql(db, `BEGIN; ${DROP_0011} ${DROP_0012} DELETE FROM schema_migrations WHERE version >= 11;
      INSERT INTO ticket_links(ticket_id, other_id, created_at) VALUES (1, 2, 0), (2, 1, 0), (1, 3, 0), (3, 1, 0);
      INSERT INTO sla_coordinations(ticket_id, target, opened_at, participants)
        VALUES (2, 'resolution', 0, '[]'), (2, 'response', 0, '[]'), (4, 'resolution', 0, '[]'); COMMIT;`);
    assert.equal(sql(db, "SELECT COUNT(*) FROM pragma_table_info('tickets') WHERE name = 'link_count'"), '0');
    r = yw(['init', '--db', db]);
    assert.equal(r.code, 0, r.err);
    const counts = () => sql(db, 'SELECT id, link_count, coordination_count FROM tickets' +
      ' WHERE link_count OR coordination_count ORDER BY id');
    assert.equal(counts(), '1|2|0\n2|1|2\n3|1|0\n4|0|1');
    // rows written beside yunwei are counted too, and uncounted when they go
    sql(db, `DELETE FROM ticket_links WHERE ticket_id IN (1, 3) AND other_id IN (1, 3);
      INSERT INTO ticket_links(ticket_id, other_id, created_at) VALUES (5, 6, 0);
      DELETE FROM sla_coordinations WHERE ticket_id = 4; UPDATE sla_coordinations SET ticket_id = 6 WHERE target = 'response';`);
    assert.equal(counts(), '1|1|0\n2|1|1\n5|1|0\n6|0|1');
    assert.equal(sql(db, 'SELECT COUNT(*) FROM tickets t WHERE link_count !=' +
      ' (SELECT COUNT(*) FROM ticket_links l WHERE l.ticket_id = t.id) OR coordination_count !=' +
      ' (SELECT COUNT(*) FROM sla_coordinations c WHERE c.ticket_id = t.id)'), '0');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// 0012 on a database of schema 11: no group is the desk until an admin
// names one, no defaults, and every ticket is marked for its search entry
// to be rebuilt with the requester's name.
test('0012 adds the desk flag and the defaults, and reindexes every ticket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yunwei-mig-'));
  const db = join(dir, 'y.db');
  try {
    let r = yw(['init', '--db', db, '--demo'], { YUNWEI_ADMIN_PASSWORD: 'admin-pass-123' });
    assert.equal(r.code, 0, r.err);
    sql(db, `BEGIN; ${DROP_0012} DELETE FROM search_pending; DELETE FROM schema_migrations WHERE version >= 12; COMMIT;`);
    r = yw(['init', '--db', db]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /\(\d+ migrations? applied\)/);
    assert.equal(sql(db, 'SELECT COUNT(*) FROM groups WHERE is_desk = 1'), '0');
    assert.equal(sql(db, 'SELECT COUNT(*) FROM organizations WHERE default_group_id IS NOT NULL OR default_impact IS NOT NULL'), '0');
    assert.equal(sql(db, 'SELECT COUNT(*) FROM categories WHERE default_impact IS NOT NULL'), '0');
    assert.equal(sql(db, 'SELECT COUNT(*) FROM search_pending'), sql(db, 'SELECT COUNT(*) FROM tickets'));
    // one desk at most
    assert.notEqual(spawnSync('sqlite3', [db, 'UPDATE groups SET is_desk = 1'], { encoding: 'utf8' }).status, 0);
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
