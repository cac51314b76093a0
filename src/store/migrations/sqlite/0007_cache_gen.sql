-- 0007: generations of what the server keeps in memory per connection.
-- A cache (the SLA policies, the category tree and the support groups,
-- the bearer tokens and whom they name)
-- is valid while the generation it was read at is still the one here.
-- Triggers change the generation on every write to the tables behind it,
-- whoever writes (a worker, the CLI beside a running server), and to a
-- random value, so that a cache filled inside a transaction that was
-- rolled back can never match a generation that was committed later.
CREATE TABLE cache_gen (
	name TEXT PRIMARY KEY,
	gen INTEGER NOT NULL
);
INSERT INTO cache_gen (name, gen) VALUES ('sla', random()), ('directory', random()), ('auth', random());
CREATE TRIGGER sla_policies_gen_insert AFTER INSERT ON sla_policies
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER sla_policies_gen_update AFTER UPDATE ON sla_policies
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER sla_policies_gen_delete AFTER DELETE ON sla_policies
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_targets_gen_insert AFTER INSERT ON sla_policy_targets
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_targets_gen_update AFTER UPDATE ON sla_policy_targets
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_targets_gen_delete AFTER DELETE ON sla_policy_targets
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_steps_gen_insert AFTER INSERT ON sla_policy_steps
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_steps_gen_update AFTER UPDATE ON sla_policy_steps
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER sla_policy_steps_gen_delete AFTER DELETE ON sla_policy_steps
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER categories_gen_insert AFTER INSERT ON categories
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER categories_gen_update AFTER UPDATE ON categories
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER categories_gen_delete AFTER DELETE ON categories
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER groups_gen_insert AFTER INSERT ON groups
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER groups_gen_update AFTER UPDATE ON groups
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER groups_gen_delete AFTER DELETE ON groups
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER group_members_gen_insert AFTER INSERT ON group_members
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER group_members_gen_update AFTER UPDATE ON group_members
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER group_members_gen_delete AFTER DELETE ON group_members
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER organizations_gen_insert AFTER INSERT ON organizations
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER organizations_gen_update AFTER UPDATE ON organizations
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER organizations_gen_delete AFTER DELETE ON organizations
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'directory'; END;
CREATE TRIGGER api_tokens_gen_insert AFTER INSERT ON api_tokens
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'auth'; END;
CREATE TRIGGER api_tokens_gen_update AFTER UPDATE ON api_tokens
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'auth'; END;
CREATE TRIGGER api_tokens_gen_delete AFTER DELETE ON api_tokens
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'auth'; END;
CREATE TRIGGER users_gen_insert AFTER INSERT ON users
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'auth'; END;
CREATE TRIGGER users_gen_update AFTER UPDATE ON users
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'auth'; END;
CREATE TRIGGER users_gen_delete AFTER DELETE ON users
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'auth'; END;
