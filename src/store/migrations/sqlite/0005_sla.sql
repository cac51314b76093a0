-- 0005: service levels (SLA): policies with their targets and escalation
-- steps, the clocks of each ticket, the timers the scheduler fires, the
-- notification outbox and technical coordination records (技术协调会).
-- Times are integer seconds UTC; "consumed" is working seconds.

-- Policies are tried in position order; the first whose match columns all
-- fit the ticket (NULL = any) wins.
CREATE TABLE sla_policies (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	description TEXT,
	position INTEGER NOT NULL,
	match_type TEXT,
	match_fault_level INTEGER,
	match_priority INTEGER,
	match_org_id INTEGER REFERENCES organizations(id),
	match_category_id INTEGER REFERENCES categories(id),
	pause_on_pending INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sla_policies_position ON sla_policies(position, id);

-- thresholds: warning percentages, ascending, e.g. '50,80'; the breach is 100
CREATE TABLE sla_policy_targets (
	policy_id INTEGER NOT NULL REFERENCES sla_policies(id) ON DELETE CASCADE,
	target TEXT NOT NULL CHECK (target IN ('response','onsite','resolution')),
	minutes INTEGER NOT NULL CHECK (minutes > 0),
	calendar_id INTEGER NOT NULL REFERENCES calendars(id),
	thresholds TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (policy_id, target)
);

-- what happens when a threshold (or the breach, at = 100) is reached:
-- notify is a list of 'assignee','supervisor','manager'
CREATE TABLE sla_policy_steps (
	policy_id INTEGER NOT NULL REFERENCES sla_policies(id) ON DELETE CASCADE,
	target TEXT NOT NULL,
	at INTEGER NOT NULL CHECK (at BETWEEN 1 AND 100),
	notify TEXT NOT NULL DEFAULT '',
	coordination INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (policy_id, target, at)
);

-- One clock per ticket, target and cycle (a reopen starts a new cycle of
-- the resolution clock; the old row stays for the report with current = 0).
-- Running: running_since is set, due_at/warn_at are the instants at which
-- the target / the first warning threshold is reached. Paused: running_since
-- NULL, paused = 1. Stopped: stopped_at and result set.
CREATE TABLE sla_clocks (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id),
	target TEXT NOT NULL CHECK (target IN ('response','onsite','resolution')),
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
	result TEXT CHECK (result IN ('met','breached','cancelled'))
);
CREATE INDEX sla_clocks_ticket ON sla_clocks(ticket_id, target, cycle);
CREATE INDEX sla_clocks_due ON sla_clocks(due_at) WHERE current = 1 AND running_since IS NOT NULL;

-- A timer per clock and threshold; fired_at is set in the transaction that
-- writes its effects, so a timer fires once whatever crashes.
CREATE TABLE sla_timers (
	id INTEGER PRIMARY KEY,
	clock_id INTEGER NOT NULL REFERENCES sla_clocks(id),
	ticket_id INTEGER NOT NULL REFERENCES tickets(id),
	threshold INTEGER NOT NULL,
	due_at INTEGER NOT NULL,
	fired_at INTEGER,
	UNIQUE (clock_id, threshold)
);
CREATE INDEX sla_timers_due ON sla_timers(due_at, id) WHERE fired_at IS NULL;

-- The outbox: what a user is told. Delivery by mail and chat reads it.
CREATE TABLE notifications (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	channel TEXT NOT NULL DEFAULT 'inbox',
	kind TEXT NOT NULL,
	ticket_id INTEGER REFERENCES tickets(id),
	subject_zh TEXT NOT NULL,
	body_zh TEXT NOT NULL,
	subject_en TEXT NOT NULL,
	body_en TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	read_at INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE read_at IS NULL;

-- 技术协调会: opened on a level-1 fault's breach, with who was called in
-- (participants: JSON [{"id","name","role"}]).
CREATE TABLE sla_coordinations (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id),
	clock_id INTEGER REFERENCES sla_clocks(id),
	target TEXT NOT NULL,
	opened_at INTEGER NOT NULL,
	participants TEXT NOT NULL
);
CREATE INDEX sla_coordinations_ticket ON sla_coordinations(ticket_id, id);

-- The department's rules as the shipped defaults (an admin changes them).
INSERT INTO sla_policies (name, description, position, match_type, match_fault_level,
	pause_on_pending, created_at, updated_at) VALUES
('一级故障', 'level-1 fault: around the clock, on site within 24 h', 1, 'incident', 1, 0,
	CAST(strftime('%s','now') AS INTEGER), CAST(strftime('%s','now') AS INTEGER)),
('二级故障', 'level-2 fault: working time', 2, 'incident', 2, 1,
	CAST(strftime('%s','now') AS INTEGER), CAST(strftime('%s','now') AS INTEGER)),
('三级故障', 'level-3 fault: working time', 3, 'incident', 3, 1,
	CAST(strftime('%s','now') AS INTEGER), CAST(strftime('%s','now') AS INTEGER)),
('服务请求', 'service requests: working time', 4, 'request', NULL, 1,
	CAST(strftime('%s','now') AS INTEGER), CAST(strftime('%s','now') AS INTEGER));

INSERT INTO sla_policy_targets (policy_id, target, minutes, calendar_id, thresholds)
SELECT p.id, v.target, v.minutes, c.id, '50,80'
FROM (SELECT '一级故障' AS policy, 'response' AS target, 15 AS minutes, '7x24' AS cal
      UNION ALL SELECT '一级故障', 'onsite', 1440, '7x24'
      UNION ALL SELECT '一级故障', 'resolution', 240, '7x24'
      UNION ALL SELECT '二级故障', 'response', 30, 'cn-workday'
      UNION ALL SELECT '二级故障', 'resolution', 480, 'cn-workday'
      UNION ALL SELECT '三级故障', 'response', 120, 'cn-workday'
      UNION ALL SELECT '三级故障', 'resolution', 1620, 'cn-workday'
      UNION ALL SELECT '服务请求', 'response', 240, 'cn-workday'
      UNION ALL SELECT '服务请求', 'resolution', 2700, 'cn-workday') AS v
JOIN sla_policies p ON p.name = v.policy
JOIN calendars c ON c.name = v.cal;

-- 50%: the assignee; 80%: and the group's supervisor; breach: and the
-- managers, and for a level-1 fault's on-site and resolution breach a
-- technical coordination meeting.
INSERT INTO sla_policy_steps (policy_id, target, at, notify, coordination)
SELECT t.policy_id, t.target, s.at, s.notify,
	CASE WHEN s.at = 100 AND p.match_fault_level = 1 AND t.target <> 'response' THEN 1 ELSE 0 END
FROM sla_policy_targets t
JOIN sla_policies p ON p.id = t.policy_id,
	(SELECT 50 AS at, 'assignee' AS notify
	 UNION ALL SELECT 80, 'assignee,supervisor'
	 UNION ALL SELECT 100, 'assignee,supervisor,manager') AS s;
