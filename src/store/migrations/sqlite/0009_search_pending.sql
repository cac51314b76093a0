-- Tickets whose search-index entry is to be written again (tk_fts_mark).
-- A change marks its ticket here in its own transaction; the index is
-- brought up to date in bulk by the server in the background, and before
-- every search (tk_fts_sync), so that FTS5 writes one segment for many
-- tickets instead of one per commit. No foreign key: a mark is written
-- with every change of a ticket, and tickets are never deleted.
CREATE TABLE search_pending (ticket_id INTEGER PRIMARY KEY);
