-- 0001: the service desk core: accounts, organisations, groups,
-- categories, the priority matrix, tickets with their entries,
-- attachments, links and history, sessions, tokens and the audit log.
-- Times are integer seconds since the epoch, UTC.

CREATE TABLE organizations (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	code TEXT UNIQUE,
	phone TEXT,
	email TEXT,
	address TEXT,
	note TEXT,
	active INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE COLLATE NOCASE,
	display_name TEXT NOT NULL,
	email TEXT,
	phone TEXT,
	role TEXT NOT NULL CHECK (role IN ('admin','manager','supervisor','engineer','customer')),
	org_id INTEGER REFERENCES organizations(id),
	password_hash TEXT,
	disabled INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_org ON users(org_id);
CREATE INDEX users_phone ON users(phone);

CREATE TABLE groups (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	description TEXT,
	supervisor_id INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE group_members (
	group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);

CREATE TABLE categories (
	id INTEGER PRIMARY KEY,
	parent_id INTEGER REFERENCES categories(id),
	name TEXT NOT NULL,
	default_group_id INTEGER REFERENCES groups(id),
	requires_approval INTEGER NOT NULL DEFAULT 0,
	active INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX categories_name ON categories(COALESCE(parent_id, 0), name);

CREATE TABLE priority_matrix (
	impact INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 3),
	urgency INTEGER NOT NULL CHECK (urgency BETWEEN 1 AND 3),
	priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
	PRIMARY KEY (impact, urgency)
);
INSERT INTO priority_matrix VALUES
	(1,1,1),(1,2,2),(1,3,3),
	(2,1,2),(2,2,3),(2,3,4),
	(3,1,3),(3,2,4),(3,3,4);

CREATE TABLE counters (
	name TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);

CREATE TABLE tickets (
	id INTEGER PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	type TEXT NOT NULL,
	status TEXT NOT NULL,
	title TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	category_id INTEGER REFERENCES categories(id),
	channel TEXT NOT NULL,
	requester_id INTEGER REFERENCES users(id),
	org_id INTEGER REFERENCES organizations(id),
	impact INTEGER NOT NULL,
	urgency INTEGER NOT NULL,
	priority INTEGER NOT NULL,
	fault_level INTEGER,
	group_id INTEGER REFERENCES groups(id),
	assignee_id INTEGER REFERENCES users(id),
	resolution_code TEXT,
	resolution_notes TEXT,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	assigned_at INTEGER,
	first_response_at INTEGER,
	in_progress_at INTEGER,
	pending_at INTEGER,
	approved_at INTEGER,
	rejected_at INTEGER,
	resolved_at INTEGER,
	closed_at INTEGER,
	cancelled_at INTEGER,
	reopened_at INTEGER,
	reopen_count INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tickets_status ON tickets(status, id);
CREATE INDEX tickets_group ON tickets(group_id, status, id);
CREATE INDEX tickets_assignee ON tickets(assignee_id, status, id);
CREATE INDEX tickets_org ON tickets(org_id, id);
CREATE INDEX tickets_priority ON tickets(priority, id);
CREATE INDEX tickets_created ON tickets(created_at, id);
CREATE INDEX tickets_updated ON tickets(updated_at, id);

CREATE TABLE ticket_links (
	ticket_id INTEGER NOT NULL REFERENCES tickets(id),
	other_id INTEGER NOT NULL REFERENCES tickets(id),
	created_at INTEGER NOT NULL,
	created_by INTEGER REFERENCES users(id),
	PRIMARY KEY (ticket_id, other_id)
);

-- comments (public), notes (internal) and work logs (internal, with minutes)
CREATE TABLE ticket_entries (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id),
	kind TEXT NOT NULL CHECK (kind IN ('comment','note','worklog')),
	author_id INTEGER REFERENCES users(id),
	body TEXT NOT NULL,
	minutes INTEGER,
	created_at INTEGER NOT NULL
);
CREATE INDEX ticket_entries_ticket ON ticket_entries(ticket_id, id);

CREATE TABLE attachments (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id),
	sha256 TEXT NOT NULL,
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	internal INTEGER NOT NULL DEFAULT 0,
	uploader_id INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL
);
CREATE INDEX attachments_ticket ON attachments(ticket_id, id);

CREATE TABLE ticket_history (
	id INTEGER PRIMARY KEY,
	ticket_id INTEGER NOT NULL REFERENCES tickets(id),
	at INTEGER NOT NULL,
	actor_id INTEGER REFERENCES users(id),
	field TEXT NOT NULL,
	old_value TEXT,
	new_value TEXT,
	note TEXT
);
CREATE INDEX ticket_history_ticket ON ticket_history(ticket_id, id);

CREATE TABLE sessions (
	id_hash BLOB PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	csrf TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	ip TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	token_hash BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_failures (
	key TEXT PRIMARY KEY,
	count INTEGER NOT NULL,
	first_at INTEGER NOT NULL,
	last_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor_id INTEGER REFERENCES users(id),
	action TEXT NOT NULL,
	target_type TEXT,
	target_id INTEGER,
	detail TEXT,
	ip TEXT
);
CREATE INDEX audit_log_at ON audit_log(at, id);

CREATE VIRTUAL TABLE ticket_fts USING fts5(pub, priv, tokenize = 'unicode61 remove_diacritics 0');
