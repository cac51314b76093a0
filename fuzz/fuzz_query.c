/*
 * fuzz_query.c - search text and times from outside: the bytes go through
 * tok_index, tok_query and yw_parse_iso, and the query terms through
 * db_fts_condition into a real FTS5 MATCH on an in-memory database, so
 * that no ?q= can produce an FTS5 syntax error (a 500) or a crash.
 */
#include "core/yw.h"
#include "core/strbuf.h"
#include "core/tok.h"
#include "core/utf8.h"
#include "core/ytime.h"
#include "store/db.h"

static struct db *db;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct yw_err err = YW_ERR_INIT;
	static const char *const docs[] = {
		"服务器宕机了 INC000001", "数据库连接 timeout，重启后恢复", "磁盘满了 Disk full on /var",
		"核心交换机端口down", "VPN 专线中断",
	};

	(void)argc, (void)argv;
	if (db_open(&db, ":memory:", &err) || db_migrate(db, NULL, &err))
		BUG("cannot set up the database: %s", err.msg);
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		struct strbuf sb = STRBUF_INIT;
		tok_index(docs[i], strlen(docs[i]), &sb);
		if (db_fts_put(db, (int64_t)i + 1, sb.buf, "", &err))
			BUG("fts put: %s", err.msg);
		strbuf_release(&sb);
	}
	return 0;
}

static void check_index(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;

	tok_index((const char *)data, size, &sb);
	if (sb.len && (sb.buf[0] == ' ' || sb.buf[sb.len - 1] == ' ' || strstr(sb.buf, "  ")))
		BUG("empty term in index output");
	for (size_t i = 0; i < sb.len; i++)
		if (isupper((unsigned char)sb.buf[i]) || (unsigned char)sb.buf[i] < 0x20)
			BUG("index output not folded: byte %zu", i);
	if (!utf8_valid(sb.buf, sb.len))
		BUG("index output is not UTF-8");
	strbuf_release(&sb);
}

static void check_query(const uint8_t *data, size_t size, bool staff)
{
	struct tok_term *terms;
	size_t n = tok_query((const char *)data, size, &terms);
	struct strbuf sql = STRBUF_INIT;
	struct yw_err err = YW_ERR_INIT;
	struct db_stmt *st;
	int rc;

	if (n > 32)
		BUG("%zu terms", n);
	for (size_t i = 0; i < n; i++)
		if (!terms[i].phrase[0] || !utf8_valid(terms[i].phrase, strlen(terms[i].phrase)))
			BUG("bad term %zu", i);
	if (n == 0) {   /* callers skip the search when nothing is searchable */
		tok_terms_free(terms, n);
		return;
	}
	strbuf_addstr(&sql, "SELECT count(*) FROM (SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 3 "
			    "UNION ALL SELECT 4 UNION ALL SELECT 5) t WHERE ");
	char *match = db_fts_condition(db, &sql, "t.id", terms, n, staff);
	if (db_prepare(db, sql.buf, &st, &err))
		BUG("prepare: %s", err.msg);
	db_bind_text(st, 1, match);
	rc = db_step(st, &err);
	if (rc != DB_ROW)
		BUG("search for %s failed: %s", match, err.msg);
	db_done(st);
	free(match);
	strbuf_release(&sql);
	tok_terms_free(terms, n);
}

static void check_time(const uint8_t *data, size_t size)
{
	char buf[64], out[32];
	int64_t t, back;

	if (size >= sizeof(buf))
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (yw_parse_iso(buf, &t))
		return;
	/* anything accepted is a real instant that formats and parses back */
	if (t < -86400 || t > 253402300799 + 86400)
		BUG("%s parsed to %" PRId64, buf, t);
	yw_fmt_iso(t, out, sizeof(out));
	if (yw_parse_iso(out, &back) || back != t)
		BUG("%s -> %s does not round-trip", buf, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)   /* ?q= is capped well below this by the server */
		return 0;
	check_index(data, size);
	check_query(data, size, false);
	check_query(data, size, true);
	check_time(data, size);
	return 0;
}
