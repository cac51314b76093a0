-- 0012: every new ticket reaches a group, and the desk grades it.
-- A ticket goes to its category's group, else its organisation's
-- (default_group_id), else the service desk's: the one group marked
-- is_desk. Until the desk grades it, a ticket's impact is its
-- category's default_impact, else its organisation's, else 3 (low):
-- customers state urgency only.
ALTER TABLE groups ADD COLUMN is_desk INTEGER NOT NULL DEFAULT 0 CHECK (is_desk IN (0, 1));
CREATE UNIQUE INDEX groups_one_desk ON groups(is_desk) WHERE is_desk = 1;
ALTER TABLE organizations ADD COLUMN default_group_id INTEGER REFERENCES groups(id);
ALTER TABLE organizations ADD COLUMN default_impact INTEGER CHECK (default_impact BETWEEN 1 AND 3);
ALTER TABLE categories ADD COLUMN default_impact INTEGER CHECK (default_impact BETWEEN 1 AND 3);
-- the search index now holds the requester's name: rebuild every entry
INSERT OR IGNORE INTO search_pending(ticket_id) SELECT id FROM tickets;
