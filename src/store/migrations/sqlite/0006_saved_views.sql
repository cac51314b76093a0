-- 0006: saved ticket-list views, per user, on the server so that they
-- follow the user to another browser or a phone. query is the ticket
-- list's own query string (without '?'), validated by the domain against
-- the list's parameters (domain/view.c); position orders a user's views.
-- At most 50 per user, checked by the domain in the creating transaction.
CREATE TABLE saved_views (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
	query TEXT NOT NULL CHECK (length(CAST(query AS BLOB)) <= 2000),
	position INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	UNIQUE (user_id, name)
);
CREATE INDEX saved_views_user_position ON saved_views(user_id, position, id);
