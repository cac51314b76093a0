-- 0014: SQL that PostgreSQL will take as well.
--
-- The cache generations (0007, 0010) counted by random(), an integer in
-- SQLite and a float in PostgreSQL. They now count up by one. A cache
-- filled inside a transaction that is rolled back could then meet its
-- generation again once another write commits it; the store guards
-- against that instead (db_cache_gen, src/store/sqlite.c: inside a
-- transaction that changed them the generations are its own). The PostgreSQL
-- migration will create the same table and one plpgsql function,
-- cache_gen_bump(), doing "UPDATE cache_gen SET gen = gen + 1 WHERE
-- name = TG_ARGV[0]", called by an AFTER INSERT OR UPDATE OR DELETE ...
-- FOR EACH STATEMENT trigger on each table below.
-- The counts start again at 1: a random one near 2^63 would overflow.
-- IF EXISTS: a database put back to an older schema runs this again.
UPDATE cache_gen SET gen = 1;
DROP TRIGGER IF EXISTS sla_policies_gen_insert;
DROP TRIGGER IF EXISTS sla_policies_gen_update;
DROP TRIGGER IF EXISTS sla_policies_gen_delete;
DROP TRIGGER IF EXISTS sla_policy_targets_gen_insert;
DROP TRIGGER IF EXISTS sla_policy_targets_gen_update;
DROP TRIGGER IF EXISTS sla_policy_targets_gen_delete;
DROP TRIGGER IF EXISTS sla_policy_steps_gen_insert;
DROP TRIGGER IF EXISTS sla_policy_steps_gen_update;
DROP TRIGGER IF EXISTS sla_policy_steps_gen_delete;
DROP TRIGGER IF EXISTS categories_gen_insert;
DROP TRIGGER IF EXISTS categories_gen_update;
DROP TRIGGER IF EXISTS categories_gen_delete;
DROP TRIGGER IF EXISTS groups_gen_insert;
DROP TRIGGER IF EXISTS groups_gen_update;
DROP TRIGGER IF EXISTS groups_gen_delete;
DROP TRIGGER IF EXISTS group_members_gen_insert;
DROP TRIGGER IF EXISTS group_members_gen_update;
DROP TRIGGER IF EXISTS group_members_gen_delete;
DROP TRIGGER IF EXISTS organizations_gen_insert;
DROP TRIGGER IF EXISTS organizations_gen_update;
DROP TRIGGER IF EXISTS organizations_gen_delete;
DROP TRIGGER IF EXISTS api_tokens_gen_insert;
DROP TRIGGER IF EXISTS api_tokens_gen_update;
DROP TRIGGER IF EXISTS api_tokens_gen_delete;
DROP TRIGGER IF EXISTS users_gen_insert;
DROP TRIGGER IF EXISTS users_gen_update;
DROP TRIGGER IF EXISTS users_gen_delete;
DROP TRIGGER IF EXISTS calendars_gen_insert;
DROP TRIGGER IF EXISTS calendars_gen_update;
DROP TRIGGER IF EXISTS calendars_gen_delete;
DROP TRIGGER IF EXISTS calendar_windows_gen_insert;
DROP TRIGGER IF EXISTS calendar_windows_gen_update;
DROP TRIGGER IF EXISTS calendar_windows_gen_delete;
DROP TRIGGER IF EXISTS calendar_days_gen_insert;
DROP TRIGGER IF EXISTS calendar_days_gen_update;
DROP TRIGGER IF EXISTS calendar_days_gen_delete;
CREATE TRIGGER sla_policies_gen_insert AFTER INSERT ON sla_policies
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER sla_policies_gen_update AFTER UPDATE ON sla_policies
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER sla_policies_gen_delete AFTER DELETE ON sla_policies
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_targets_gen_insert AFTER INSERT ON sla_policy_targets
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_targets_gen_update AFTER UPDATE ON sla_policy_targets
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_targets_gen_delete AFTER DELETE ON sla_policy_targets
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_steps_gen_insert AFTER INSERT ON sla_policy_steps
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_steps_gen_update AFTER UPDATE ON sla_policy_steps
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_steps_gen_delete AFTER DELETE ON sla_policy_steps
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER categories_gen_insert AFTER INSERT ON categories
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER categories_gen_update AFTER UPDATE ON categories
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER categories_gen_delete AFTER DELETE ON categories
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER groups_gen_insert AFTER INSERT ON groups
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER groups_gen_update AFTER UPDATE ON groups
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER groups_gen_delete AFTER DELETE ON groups
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER group_members_gen_insert AFTER INSERT ON group_members
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER group_members_gen_update AFTER UPDATE ON group_members
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER group_members_gen_delete AFTER DELETE ON group_members
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER organizations_gen_insert AFTER INSERT ON organizations
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER organizations_gen_update AFTER UPDATE ON organizations
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER organizations_gen_delete AFTER DELETE ON organizations
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'; END;
CREATE TRIGGER api_tokens_gen_insert AFTER INSERT ON api_tokens
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'auth'; END;
CREATE TRIGGER api_tokens_gen_update AFTER UPDATE ON api_tokens
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'auth'; END;
CREATE TRIGGER api_tokens_gen_delete AFTER DELETE ON api_tokens
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'auth'; END;
CREATE TRIGGER users_gen_insert AFTER INSERT ON users
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'auth'; END;
CREATE TRIGGER users_gen_update AFTER UPDATE ON users
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'auth'; END;
CREATE TRIGGER users_gen_delete AFTER DELETE ON users
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'auth'; END;
CREATE TRIGGER calendars_gen_insert AFTER INSERT ON calendars
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER calendars_gen_update AFTER UPDATE ON calendars
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER calendars_gen_delete AFTER DELETE ON calendars
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER calendar_windows_gen_insert AFTER INSERT ON calendar_windows
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER calendar_windows_gen_update AFTER UPDATE ON calendar_windows
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER calendar_windows_gen_delete AFTER DELETE ON calendar_windows
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER calendar_days_gen_insert AFTER INSERT ON calendar_days
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER calendar_days_gen_update AFTER UPDATE ON calendar_days
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;
CREATE TRIGGER calendar_days_gen_delete AFTER DELETE ON calendar_days
BEGIN UPDATE cache_gen SET gen = gen + 1 WHERE name = 'sla'; END;

-- Logins are one whatever their case. The column's COLLATE NOCASE is
-- SQLite's; the domain compares lower(login) = lower(?), which this index
-- serves (PostgreSQL: the same unique index on lower(login), the column
-- plain TEXT). Logins are ASCII (user_check_login), where SQLite's lower()
-- and NOCASE agree, so the existing rows satisfy it.
CREATE UNIQUE INDEX IF NOT EXISTS users_login_lower ON users(lower(login));
