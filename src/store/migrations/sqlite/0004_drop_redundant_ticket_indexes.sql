-- 0004: every ticket list is ordered by (created_at|updated_at|priority, id),
-- so the (filter, created_at, id) indexes of 0002 serve the filters that
-- these four (filter, [status,] id) ones were made for. Each index is
-- pages written on every ticket insert and update; these only cost.
DROP INDEX tickets_status;
DROP INDEX tickets_group;
DROP INDEX tickets_assignee;
DROP INDEX tickets_org;
