-- 0010: the working calendars join the 'sla' cache generation (0007).
-- Each thread keeps the calendars it has loaded (src/domain/sla_ticket.c);
-- it asked each one's version on every use, a statement per ticket
-- created or read with a running clock. Now a write to a calendar, its
-- windows or its days changes the generation, so a calendar checked at
-- the current generation is used as it is.
CREATE TRIGGER calendars_gen_insert AFTER INSERT ON calendars
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER calendars_gen_update AFTER UPDATE ON calendars
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER calendars_gen_delete AFTER DELETE ON calendars
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER calendar_windows_gen_insert AFTER INSERT ON calendar_windows
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER calendar_windows_gen_update AFTER UPDATE ON calendar_windows
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER calendar_windows_gen_delete AFTER DELETE ON calendar_windows
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER calendar_days_gen_insert AFTER INSERT ON calendar_days
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER calendar_days_gen_update AFTER UPDATE ON calendar_days
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
CREATE TRIGGER calendar_days_gen_delete AFTER DELETE ON calendar_days
BEGIN UPDATE cache_gen SET gen = random() WHERE name = 'sla'; END;
