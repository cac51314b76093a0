-- yunwei: foreign_keys off
-- 0008: sla_clocks again, with its two CHECKs written as comparisons.
-- SQLite 3.40 codes `x IN (a, b, c)` of more than two constants as a
-- temporary b-tree that it builds for every row written: two per clock,
-- which cost a tenth of the creation of a ticket. Same columns, same rows.
-- This is the rebuild of https://sqlite.org/lang_altertable.html#otheralter:
-- the runner turns foreign keys off for it and checks them before commit.
CREATE TABLE sla_clocks_new (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id),
	target TEXT NOT NULL CHECK (target = 'response' OR target = 'onsite' OR target = 'resolution'),
	cycle INTEGER NOT NULL DEFAULT 1,
	current INTEGER NOT NULL DEFAULT 1,
	policy_id INTEGER REFERENCES sla_policies(id) ON DELETE SET NULL,
	calendar_id INTEGER NOT NULL REFERENCES calendars(id),
	target_minutes INTEGER NOT NULL,
	started_at INTEGER NOT NULL,
	running_since INTEGER,
	consumed INTEGER NOT NULL DEFAULT 0,
	paused INTEGER NOT NULL DEFAULT 0,
	due_at INTEGER,
	warn_at INTEGER,
	stopped_at INTEGER,
	result TEXT CHECK (result = 'met' OR result = 'breached' OR result = 'cancelled')
);
INSERT INTO sla_clocks_new SELECT id, ticket_id, target, cycle, current, policy_id, calendar_id, target_minutes,
	started_at, running_since, consumed, paused, due_at, warn_at, stopped_at, result FROM sla_clocks;
DROP TABLE sla_clocks;
ALTER TABLE sla_clocks_new RENAME TO sla_clocks;
CREATE INDEX sla_clocks_ticket ON sla_clocks(ticket_id, target, cycle);
CREATE INDEX sla_clocks_due ON sla_clocks(due_at) WHERE current = 1 AND running_since IS NOT NULL;
