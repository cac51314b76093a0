-- 0011: a ticket counts its links and its SLA coordination meetings.
-- Reading a ticket ran a statement for each, and nearly every ticket has
-- neither: the counts, on the row the read already has, tell it when to
-- look. Triggers keep them, whatever writes the rows.
ALTER TABLE tickets ADD COLUMN link_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN coordination_count INTEGER NOT NULL DEFAULT 0;

UPDATE tickets SET link_count = (SELECT count(*) FROM ticket_links l WHERE l.ticket_id = tickets.id)
WHERE id IN (SELECT ticket_id FROM ticket_links);
UPDATE tickets SET coordination_count = (SELECT count(*) FROM sla_coordinations c WHERE c.ticket_id = tickets.id)
WHERE id IN (SELECT ticket_id FROM sla_coordinations);

CREATE TRIGGER ticket_links_count_insert AFTER INSERT ON ticket_links
BEGIN UPDATE tickets SET link_count = link_count + 1 WHERE id = NEW.ticket_id; END;
CREATE TRIGGER ticket_links_count_delete AFTER DELETE ON ticket_links
BEGIN UPDATE tickets SET link_count = link_count - 1 WHERE id = OLD.ticket_id; END;
CREATE TRIGGER ticket_links_count_update AFTER UPDATE OF ticket_id ON ticket_links
BEGIN
	UPDATE tickets SET link_count = link_count - 1 WHERE id = OLD.ticket_id;
	UPDATE tickets SET link_count = link_count + 1 WHERE id = NEW.ticket_id;
END;
CREATE TRIGGER sla_coordinations_count_insert AFTER INSERT ON sla_coordinations
BEGIN UPDATE tickets SET coordination_count = coordination_count + 1 WHERE id = NEW.ticket_id; END;
CREATE TRIGGER sla_coordinations_count_delete AFTER DELETE ON sla_coordinations
BEGIN UPDATE tickets SET coordination_count = coordination_count - 1 WHERE id = OLD.ticket_id; END;
CREATE TRIGGER sla_coordinations_count_update AFTER UPDATE OF ticket_id ON sla_coordinations
BEGIN
	UPDATE tickets SET coordination_count = coordination_count - 1 WHERE id = OLD.ticket_id;
	UPDATE tickets SET coordination_count = coordination_count + 1 WHERE id = NEW.ticket_id;
END;
