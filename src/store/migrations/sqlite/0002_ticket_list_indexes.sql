-- 0002: indexes for the first page of the ticket lists people open all
-- day (a status queue, an organisation's tickets, my tickets, my group's
-- tickets), newest first. With (filter, created_at, id) SQLite walks the
-- index in order and stops after one page instead of sorting every match:
-- at a million tickets that is the difference between microseconds and a
-- sort of a hundred thousand rows.
CREATE INDEX tickets_status_created ON tickets(status, created_at, id);
CREATE INDEX tickets_status_updated ON tickets(status, updated_at, id);
CREATE INDEX tickets_org_created ON tickets(org_id, created_at, id);
CREATE INDEX tickets_assignee_created ON tickets(assignee_id, created_at, id);
CREATE INDEX tickets_group_created ON tickets(group_id, created_at, id);
-- rare types and categories would otherwise walk the whole created_at index
CREATE INDEX tickets_type_created ON tickets(type, created_at, id);
CREATE INDEX tickets_category_created ON tickets(category_id, created_at, id);
