/*
 * test_core_tok.c - the search tokenizer, and that its output finds what
 * a user expects through the store's FTS5 index (宕机 must find
 * 服务器宕机了, a lone 宕 must find it as a prefix).
 */
#include "yw.h"
#include "tok.h"
#include "strbuf.h"
#include "store/db.h"
#include <setjmp.h>
#include <cmocka.h>

static const struct {
	const char *in, *want;
} index_cases[] = {
	{ "服务器宕机了", "服务 务器 器宕 宕机 机了" },
	{ "Disk磁盘full", "disk 磁盘 full" },
	{ "磁盘满了", "磁盘 盘满 满了" },
	{ "CPU使用率100%，内存OK", "cpu 使用 用率 100 内存 ok" },
	{ "硬盘 坏 了", "硬盘 坏 了" },
	{ "宕", "宕" },
	{ "", "" },
	{ "  ,.;!  ", "" },
	{ "Connection TIMEOUT after 30s", "connection timeout after 30s" },
	{ "核心交换机（S12700）端口down。", "核心 心交 交换 换机 s12700 端口 down" },
	{ "数据库\u3000连接池", "数据 据库 连接 接池" },   /* ideographic space */
	{ "ab\xff" "cd", "ab cd" },                          /* invalid byte = separator */
	{ "磁\xe8\xbf" "盘", "磁 盘" },                     /* truncated sequence inside a run */
	{ "user@example.com", "user example com" },
	{ "サーバー停止", "サー ーバ バー ー停 停止" },     /* kana and kanji form one run */
	{ "Café crème", "café crème" },                      /* non-ASCII letters stay words */
	{ "a\tb\nc", "a b c" },
};

static void test_index(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(index_cases); i++) {
		struct strbuf sb = STRBUF_INIT;
		tok_index(index_cases[i].in, strlen(index_cases[i].in), &sb);
		if (strcmp(sb.buf, index_cases[i].want))
			fail_msg("tok_index(%s) = \"%s\", want \"%s\"", index_cases[i].in, sb.buf,
				 index_cases[i].want);
		strbuf_release(&sb);
	}
}

static void test_index_appends_with_separator(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	tok_index("宕机", strlen("宕机"), &sb);
	tok_index("timeout", 7, &sb);
	assert_string_equal(sb.buf, "宕机 timeout");
	strbuf_release(&sb);
}

static void test_index_respects_len(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	/* only the first 6 bytes (two characters) are text */
	tok_index("宕机了吗", 6, &sb);
	assert_string_equal(sb.buf, "宕机");
	strbuf_release(&sb);
}

struct want_term {
	const char *phrase;
	bool prefix;
};

static void check_query(const char *q, const struct want_term *want, size_t nwant)
{
	struct tok_term *t;
	size_t n = tok_query(q, strlen(q), &t);

	if (n != nwant)
		fail_msg("tok_query(%s): %zu terms, want %zu", q, n, nwant);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(t[i].phrase, want[i].phrase) || t[i].prefix != want[i].prefix)
			fail_msg("tok_query(%s) term %zu = \"%s\"%s, want \"%s\"%s", q, i, t[i].phrase,
				 t[i].prefix ? "*" : "", want[i].phrase, want[i].prefix ? "*" : "");
	}
	tok_terms_free(t, n);
}

static void test_query(void **state)
{
	check_query("宕机", (struct want_term[]){ { "宕机", false } }, 1);
	check_query("服务器宕机", (struct want_term[]){ { "服务 务器 器宕 宕机", false } }, 1);
	check_query("宕", (struct want_term[]){ { "宕", true } }, 1);
	check_query("timeout 磁盘", (struct want_term[]){ { "timeout", false }, { "磁盘", false } }, 2);
	check_query("Disk磁盘", (struct want_term[]){ { "disk", false }, { "磁盘", false } }, 2);
	check_query("机 TIMEOUT", (struct want_term[]){ { "机", true }, { "timeout", false } }, 2);
	check_query("\"宕机\" OR x*", (struct want_term[]){ { "宕机", false }, { "or", false },
							   { "x", false } }, 3);
}

static void test_query_nothing_searchable(void **state)
{
	struct tok_term *t = (void *)1;

	assert_int_equal(tok_query("", 0, &t), 0);
	tok_terms_free(t, 0);
	assert_int_equal(tok_query(" ，。!?", strlen(" ，。!?"), &t), 0);
	tok_terms_free(t, 0);
	assert_int_equal(tok_query("\xff\xfe", 2, &t), 0);
	tok_terms_free(t, 0);
}

static void test_query_capped(void **state)
{
	struct strbuf q = STRBUF_INIT;
	struct tok_term *t;

	for (int i = 0; i < 100; i++)
		strbuf_addf(&q, "w%d ", i);
	size_t n = tok_query(q.buf, q.len, &t);
	assert_int_equal(n, 32);
	assert_string_equal(t[0].phrase, "w0");
	assert_string_equal(t[31].phrase, "w31");
	tok_terms_free(t, n);
	strbuf_release(&q);
}

/* The index through SQLite: what a search for each query returns. */
static struct db *fts_db(void)
{
	static const char *const docs[] = {
		"服务器宕机了",                        /* 1 */
		"数据库连接 timeout，重启后恢复",      /* 2 */
		"磁盘满了 Disk full on /var",          /* 3 */
		"宕 机",                               /* 4: not the word 宕机 */
		"核心交换机端口down",                  /* 5 */
	};
	struct yw_err err = YW_ERR_INIT;
	struct db *db;

	assert_int_equal(db_open(&db, ":memory:", &err), 0);
	assert_int_equal(db_migrate(db, NULL, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		struct strbuf sb = STRBUF_INIT;
		tok_index(docs[i], strlen(docs[i]), &sb);
		assert_int_equal(db_fts_put(db, (int64_t)i + 1, sb.buf, i == 4 ? "内部 部备 备注 secret" : "", &err), 0);
		strbuf_release(&sb);
	}
	return db;
}

static void search(struct db *db, const char *q, bool staff, const char *want)
{
	struct tok_term *terms;
	size_t n = tok_query(q, strlen(q), &terms);
	struct strbuf sql = STRBUF_INIT, got = STRBUF_INIT;
	struct yw_err err = YW_ERR_INIT;
	struct db_stmt *st;

	strbuf_addstr(&sql, "WITH RECURSIVE v(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM v WHERE id < 5) "
			    "SELECT v.id FROM v WHERE ");
	char *match = db_fts_condition(db, &sql, "v.id", terms, n, staff);
	strbuf_addstr(&sql, " ORDER BY v.id");
	assert_int_equal(db_prepare(db, sql.buf, &st, &err), 0);
	db_bind_text(st, 1, match);
	int rc;
	while ((rc = db_step(st, &err)) == DB_ROW)
		strbuf_addf(&got, "%s%" PRId64, got.len ? "," : "", db_col_int(st, 0));
	if (rc < 0)
		fail_msg("search %s: %s", q, err.msg);
	db_done(st);
	if (strcmp(got.buf, want))
		fail_msg("search \"%s\"%s found [%s], want [%s] (match %s)", q, staff ? " (staff)" : "",
			 got.buf, want, match);
	free(match);
	tok_terms_free(terms, n);
	strbuf_release(&sql);
	strbuf_release(&got);
}

static void test_search_through_fts(void **state)
{
	struct db *db = fts_db();

	search(db, "宕机", false, "1");
	search(db, "服务器宕机", false, "1");
	search(db, "宕", false, "1,4");          /* lone character: prefix of a bigram or itself */
	search(db, "timeout", false, "2");
	search(db, "TIMEOUT", false, "2");
	search(db, "磁盘", false, "3");
	search(db, "disk 磁盘", false, "3");
	search(db, "disk 宕机", false, "");      /* all terms must match */
	search(db, "交换机", false, "5");
	search(db, "换交", false, "");           /* order matters inside a phrase */
	search(db, "secret", false, "");         /* internal text: staff only */
	search(db, "secret", true, "5");
	search(db, "内部备注", true, "5");
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_index_appends_with_separator),
		cmocka_unit_test(test_index_respects_len),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_query_nothing_searchable),
		cmocka_unit_test(test_query_capped),
		cmocka_unit_test(test_search_through_fts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
