-- 0003: business calendars (工作日历): a time zone, weekly working windows,
-- and special days (holidays, make-up workdays 补班) by local date.
-- Minutes are local wall-clock minutes since midnight (end may be 1440).
-- The built-in calendars are created here; the holidays of cn-workday come
-- from the shipped data file (data/calendars/cn-mainland.json), applied
-- once per year by cal_seed_builtin() and recorded in calendar_seeds.

CREATE TABLE calendars (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	description TEXT,
	timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
	builtin INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE calendar_windows (
	calendar_id INTEGER NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),   -- ISO: 1 = Monday
	start_min INTEGER NOT NULL CHECK (start_min >= 0),
	end_min INTEGER NOT NULL CHECK (end_min <= 1440 AND end_min > start_min),
	PRIMARY KEY (calendar_id, weekday, start_min)
);

CREATE TABLE calendar_days (
	calendar_id INTEGER NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
	day TEXT NOT NULL,                                          -- 'YYYY-MM-DD', local
	kind TEXT NOT NULL CHECK (kind IN ('off','workday')),
	name TEXT NOT NULL DEFAULT '',
	windows TEXT,              -- '09:00-12:00,13:30-18:00'; NULL = the default windows
	PRIMARY KEY (calendar_id, day)
);

CREATE TABLE calendar_seeds (
	calendar_id INTEGER NOT NULL REFERENCES calendars(id) ON DELETE CASCADE,
	source TEXT NOT NULL,      -- 'cn-mainland.json:2026'
	applied_at INTEGER NOT NULL,
	PRIMARY KEY (calendar_id, source)
);

INSERT INTO calendars (name, description, timezone, builtin, created_at, updated_at)
VALUES ('7x24', 'around the clock, every day', 'Asia/Shanghai', 1,
	CAST(strftime('%s','now') AS INTEGER), CAST(strftime('%s','now') AS INTEGER));
INSERT INTO calendar_windows (calendar_id, weekday, start_min, end_min)
SELECT id, w.d, 0, 1440 FROM calendars,
	(SELECT 1 AS d UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
	 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7) AS w
WHERE name = '7x24';

INSERT INTO calendars (name, description, timezone, builtin, created_at, updated_at)
VALUES ('cn-workday', 'Mon-Fri 09:00-18:00 with mainland holidays and make-up workdays',
	'Asia/Shanghai', 1,
	CAST(strftime('%s','now') AS INTEGER), CAST(strftime('%s','now') AS INTEGER));
INSERT INTO calendar_windows (calendar_id, weekday, start_min, end_min)
SELECT id, w.d, 540, 1080 FROM calendars,
	(SELECT 1 AS d UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
	 UNION ALL SELECT 5) AS w
WHERE name = 'cn-workday';
