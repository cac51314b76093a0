/*
 * test_sql_portable.c - the domain's SQL must run on SQLite and on
 * PostgreSQL alike. Every string literal under src/domain/ (adjacent
 * literals joined, as the compiler joins them) is checked against the
 * SQLite-only constructs below; a hit fails the test and names the file,
 * the line and the construct. What must differ between the engines
 * belongs behind src/store/db.h, not in the domain.
 *
 * The migrations are per engine, so only one rule applies to them: a
 * trigger that a later migration has not dropped may not rely on
 * random() returning an integer (PostgreSQL's is a float in [0, 1)).
 * Shipped migrations are never edited; a new one replaces a trigger.
 *
 * The rules are textual and err on the side of flagging: a false hit is
 * fixed by writing the SQL the portable way, which is what it asks for.
 */
#include "yw.h"
#include "strbuf.h"
#include <dirent.h>
#include <regex.h>
#include <setjmp.h>
#include <cmocka.h>

#ifndef YW_SOURCE_DIR
#error "YW_SOURCE_DIR must name the source tree"
#endif

#define RANDOM_RE "(^|[^_[:alnum:]])random[[:space:]]*\\("
#define RANDOM_WHY "random() is an integer in SQLite, a float in PostgreSQL"

struct rule {
	const char *re;
	const char *why;
};

static const struct rule rules[] = {
	{ "INSERT[[:space:]]+OR[[:space:]]+(IGNORE|REPLACE)",
	  "INSERT OR IGNORE/REPLACE: write INSERT ... ON CONFLICT (...) DO NOTHING/UPDATE" },
	{ "\\?[[:space:]]+IS[[:space:]]+(NOT[[:space:]]+)?NULL",
	  "untyped '? IS NULL': PostgreSQL cannot infer its type, write CAST(? AS BIGINT) or CAST(? AS TEXT)" },
	{ "ESCAPE[[:space:]]*'\\\\'", "ESCAPE '\\': read differently by the engines, bind it (ESCAPE ?, USER_LIKE_ESCAPE)" },
	{ "COLLATE[[:space:]]+NOCASE", "COLLATE NOCASE is SQLite's: compare lower(x) = lower(?)" },
	{ "(^|[^_[:alnum:]])IFNULL[[:space:]]*\\(", "IFNULL: write COALESCE" },
	{ "(^|[^_[:alnum:]])GLOB([^_[:alnum:]]|$)", "GLOB is SQLite's: write LIKE" },
	{ "last_insert_rowid", "last_insert_rowid(): write RETURNING id" },
	{ "(^|[^_[:alnum:]])rowid([^_[:alnum:]]|$)", "rowid is SQLite's: name the key column" },
	{ "(^|[^_[:alnum:]])(strftime|datetime|julianday|unixepoch)[[:space:]]*\\(",
	  "SQLite date function: pass the time as a bound integer" },
	{ "LIMIT[[:space:]]+-", "LIMIT -1: leave the limit out" },
	{ RANDOM_RE, RANDOM_WHY },
};

static regex_t compiled[ARRAY_SIZE(rules)];

#define BOOLEAN_WHY "a parameter used as a boolean: PostgreSQL needs one, compare '? = 1'"

static bool word_is(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && !strncasecmp(s, w, len);
}

struct token {
	const char *s;
	size_t len;
};

static size_t tokenize(const char *sql, struct token *t, size_t max)
{
	size_t n = 0;

	for (const char *p = sql; *p && n < max;) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		t[n].s = p;
		if (isalnum((unsigned char)*p) || *p == '_') {
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
				p++;
		} else if (*p == '\'') {
			for (p++; *p && *p != '\''; p++)
				;
			if (*p)
				p++;
		} else {
			p++;
		}
		t[n].len = (size_t)(p - t[n].s);
		n++;
	}
	return n;
}

static bool is_logic(const struct token *t)
{
	return word_is(t->s, t->len, "AND") || word_is(t->s, t->len, "OR");
}

/* A '?' used as a boolean operand: "WHERE ? OR", "(? OR", "AND ?)". */
static bool boolean_param(const char *sql)
{
	static struct token t[4096];
	size_t n = tokenize(sql, t, ARRAY_SIZE(t));

	for (size_t i = 1; i < n; i++) {
		const struct token *prev = &t[i - 1], *next = i + 1 < n ? &t[i + 1] : NULL;
		bool before, after;

		if (!word_is(t[i].s, t[i].len, "?"))
			continue;
		/* "BETWEEN ? AND ?": the second '?' is a value */
		if (word_is(prev->s, prev->len, "AND") && i >= 3 && word_is(t[i - 3].s, t[i - 3].len, "BETWEEN"))
			continue;
		before = word_is(prev->s, prev->len, "WHERE") || word_is(prev->s, prev->len, "NOT") ||
			 word_is(prev->s, prev->len, "WHEN") || is_logic(prev) || word_is(prev->s, prev->len, "(");
		after = !next || is_logic(next) || word_is(next->s, next->len, "THEN") || word_is(next->s, next->len, ")");
		/* "(?)" is a value: VALUES (?), IN (?) */
		if (before && after && !(word_is(prev->s, prev->len, "(") && next && word_is(next->s, next->len, ")")))
			return true;
	}
	return false;
}

/* Prints path:line and each rule sql breaks; returns how many it breaks. */
static int report(const char *path, int line, const char *sql)
{
	int hits = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (!regexec(&compiled[i], sql, 0, NULL, 0) && ++hits)
			fprintf(stderr, "%s:%d: %s\n", path, line, rules[i].why);
	if (boolean_param(sql) && ++hits)
		fprintf(stderr, "%s:%d: %s\n", path, line, BOOLEAN_WHY);
	return hits;
}

/* The first rule sql breaks, or NULL. */
static const char *sql_offence(const char *sql)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (!regexec(&compiled[i], sql, 0, NULL, 0))
			return rules[i].why;
	if (boolean_param(sql))
		return BOOLEAN_WHY;
	return NULL;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;

	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb, NULL);
}

/* Skips a comment or a character constant at p; returns p unmoved if neither. */
static const char *skip_non_code(const char *p, int *line)
{
	if (p[0] == '/' && p[1] == '/') {
		while (*p && *p != '\n')
			p++;
	} else if (p[0] == '/' && p[1] == '*') {
		for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
			*line += *p == '\n';
		p += *p ? 2 : 0;
	} else if (*p == '\'') {
		for (p++; *p && *p != '\''; p++)
			p += *p == '\\' && p[1];
		p += *p ? 1 : 0;
	}
	return p;
}

/* Appends the literal at p (on its opening quote) to sb; returns the end. */
static const char *read_literal(const char *p, struct strbuf *sb, int *line)
{
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			strbuf_addch(sb, *p == 'n' || *p == 't' ? ' ' : *p);
			continue;
		}
		*line += *p == '\n';
		strbuf_addch(sb, *p);
	}
	return *p ? p + 1 : p;
}

/*
 * Prints path, line and rule for each joined literal of the C text src
 * that breaks a rule; returns how many did.
 */
static int scan_c(const char *path, const char *src)
{
	struct strbuf lit = STRBUF_INIT;
	int line = 1, start = 0, hits = 0;
	const char *p = src;

	while (*p) {
		const char *q = skip_non_code(p, &line);
		if (q != p) {
			p = q;
			continue;
		}
		if (*p == '"') {
			if (!start)
				start = line;
			p = read_literal(p, &lit, &line);
			continue;
		}
		if (isspace((unsigned char)*p)) {
			line += *p++ == '\n';
			continue;
		}
		if (start) {
			hits += report(path, start, lit.buf);
			strbuf_reset(&lit);
			start = 0;
		}
		p++;
	}
	strbuf_release(&lit);
	return hits;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int scan_tree(const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int hits = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[1024], relpath[1024];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(relpath, sizeof(relpath), "%s/%s", rel, e->d_name);
		if (e->d_type == DT_DIR) {
			hits += scan_tree(path, relpath);
		} else if (has_suffix(e->d_name, ".c") || has_suffix(e->d_name, ".h")) {
			char *src = slurp(path);
			hits += scan_c(relpath, src);
			free(src);
		}
	}
	closedir(d);
	return hits;
}

/* Triggers created and not dropped since, in migration order. */
struct trigger {
	char name[128];
	char file[64];
	int line;
	bool random;
};

static struct trigger triggers[256];
static size_t ntriggers;

static void trigger_drop(const char *name)
{
	for (size_t i = 0; i < ntriggers; i++)
		if (!strcasecmp(triggers[i].name, name))
			triggers[i] = triggers[--ntriggers];
}

static const char *read_name(const char *p, char *name, size_t size)
{
	size_t n = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (!strncasecmp(p, "IF EXISTS", 9) || !strncasecmp(p, "IF NOT EXISTS", 13)) {
		p += toupper((unsigned char)p[3]) == 'N' ? 13 : 9;
		while (isspace((unsigned char)*p))
			p++;
	}
	while ((isalnum((unsigned char)*p) || *p == '_') && n + 1 < size)
		name[n++] = *p++;
	name[n] = '\0';
	return p;
}

/* Applies one migration's CREATE and DROP TRIGGER statements to triggers[]. */
static void scan_migration(const char *file, const char *sql)
{
	static regex_t random_re;
	static bool compiled_random;
	int line = 1;

	if (!compiled_random) {
		assert_int_equal(regcomp(&random_re, RANDOM_RE, REG_EXTENDED | REG_ICASE), 0);
		compiled_random = true;
	}
	for (const char *p = sql; *p; p++) {
		char name[128];

		line += *p == '\n';
		if (p[0] == '-' && p[1] == '-') {
			while (p[1] && p[1] != '\n')
				p++;
		} else if (!strncasecmp(p, "DROP TRIGGER", 12)) {
			read_name(p + 12, name, sizeof(name));
			trigger_drop(name);
		} else if (!strncasecmp(p, "CREATE TRIGGER", 14) && ntriggers < ARRAY_SIZE(triggers)) {
			const char *end = strstr(p, "END;");
			char *body = end ? yw_strndup(p, (size_t)(end - p)) : yw_strdup(p);
			struct trigger *t;

			read_name(p + 14, name, sizeof(name));
			trigger_drop(name);
			t = &triggers[ntriggers++];
			snprintf(t->name, sizeof(t->name), "%s", name);
			snprintf(t->file, sizeof(t->file), "%s", file);
			t->line = line;
			t->random = !regexec(&random_re, body, 0, NULL, 0);
			free(body);
		}
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_rules_flag_sqlite_only(void **state)
{
	static const char *bad[] = {
		"INSERT OR IGNORE INTO search_pending(ticket_id) VALUES (?)",
		"INSERT OR REPLACE INTO t (a) VALUES (?)",
		"SELECT id FROM users WHERE (? IS NULL OR role = ?)",
		"SELECT id FROM users WHERE ? IS NOT NULL",
		"SELECT id FROM groups WHERE name LIKE ? ESCAPE '\\'",
		"SELECT id FROM users WHERE login = ? COLLATE NOCASE",
		"SELECT IFNULL(a, 0) FROM t",
		"SELECT id FROM t WHERE name GLOB ?",
		"SELECT last_insert_rowid()",
		"SELECT rowid FROM ticket_fts",
		"SELECT strftime('%s','now')",
		"SELECT id FROM t LIMIT -1 OFFSET ?",
		"UPDATE cache_gen SET gen = random()",
		"SELECT id FROM t WHERE ? OR id IN (SELECT x FROM y)",
		"SELECT id FROM t WHERE (? OR x = 1)",
		"SELECT id FROM t WHERE x = 1 AND ?",
		"SELECT id FROM t WHERE x = 1 AND (y = 2 OR ?)",
		"SELECT CASE WHEN ? THEN 1 ELSE 0 END",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (!sql_offence(bad[i]))
			fail_msg("not flagged: %s", bad[i]);
	}
}

static void test_rules_pass_portable(void **state)
{
	static const char *good[] = {
		"INSERT INTO search_pending(ticket_id) VALUES (?) ON CONFLICT DO NOTHING",
		"SELECT id FROM users WHERE (CAST(? AS TEXT) IS NULL OR role = ?)",
		"SELECT id FROM t WHERE read_at IS NULL AND user_id = ?",
		"SELECT id FROM groups WHERE lower(name) LIKE ? ESCAPE '!'",
		"SELECT id FROM groups WHERE lower(name) LIKE ? ESCAPE ?",
		"SELECT id FROM users WHERE lower(login) = lower(?)",
		"SELECT COALESCE(a, 0) FROM t",
		"SELECT id FROM t WHERE (? = 1 OR id IN (SELECT x FROM y))",
		"SELECT id FROM t WHERE due_at BETWEEN ? AND ? ORDER BY id",
		"SELECT id FROM t WHERE due_at BETWEEN ? AND ?",
		"INSERT INTO t (a, b) VALUES (?, ?)",
		"SELECT id FROM t WHERE id IN (?) AND x = ?",
		"SELECT id FROM t WHERE x = ? AND y = ?",
		"SELECT id, rowid_like FROM t WHERE a_random(x) = ?",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		const char *why = sql_offence(good[i]);
		if (why)
			fail_msg("flagged (%s): %s", why, good[i]);
	}
}

static void test_scanner_joins_literals(void **state)
{
	static const char src[] =
		"/* \"INSERT OR IGNORE\" in a comment is not SQL */\n"
		"static const char *a = \"SELECT id FROM t\"\n"
		"\t\" WHERE (? IS NULL OR x = ?)\";\n"
		"char c = '\"';\n"
		"static const char *b = \"INSERT INTO t VALUES (?)\";\n";

	(void)state;
	assert_int_equal(scan_c("sample.c", src), 1);
}

static void test_domain_sql_is_portable(void **state)
{
	int hits;

	(void)state;
	hits = scan_tree(YW_SOURCE_DIR "/src/domain", "src/domain");
	if (hits)
		fail_msg("%d SQLite-only construct(s) in src/domain (listed above)", hits);
}

static void test_migration_triggers_are_portable(void **state)
{
	const char *dir = YW_SOURCE_DIR "/src/store/migrations/sqlite";
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[128];
	size_t n = 0;
	int hits = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) && n < ARRAY_SIZE(names))
		if (has_suffix(e->d_name, ".sql"))
			names[n++] = yw_strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		char *sql;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		sql = slurp(path);
		scan_migration(names[i], sql);
		free(sql);
		free(names[i]);
	}
	assert_true(ntriggers > 0);
	for (size_t i = 0; i < ntriggers; i++) {
		if (!triggers[i].random)
			continue;
		fprintf(stderr, "src/store/migrations/sqlite/%s:%d: trigger %s: %s\n", triggers[i].file,
			triggers[i].line, triggers[i].name, RANDOM_WHY);
		hits++;
	}
	if (hits)
		fail_msg("%d trigger(s) use random() (listed above)", hits);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_flag_sqlite_only),
		cmocka_unit_test(test_rules_pass_portable),
		cmocka_unit_test(test_scanner_joins_literals),
		cmocka_unit_test(test_domain_sql_is_portable),
		cmocka_unit_test(test_migration_triggers_are_portable),
	};

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (regcomp(&compiled[i], rules[i].re, REG_EXTENDED | REG_ICASE))
			return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
