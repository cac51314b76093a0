/*
 * writer.c - yw_bench_writer DB [PER_ROUND]: what the server's writer
 * thread spends on a ticket, without HTTP. Creates incidents with
 * tk_create, as POST /tickets does, in group-commit batches of 1, 5 and
 * 20 (db_batch_begin ... db_batch_commit, an optimistic part each, as
 * src/http/batch.c runs them), PER_ROUND tickets (default 2000) a round,
 * three rounds per size, and prints the least thread CPU time per ticket
 * of each size. From two sizes follow the cost of a commit and the cost
 * of a ticket inside one. The search entries are rebuilt as the server's
 * writer rebuilds them, TK_FTS_CHUNK tickets to a transaction, inside the
 * timing: they are the writer's work too. Checkpoints run between rounds, outside the
 * timing, as the server's main thread runs them.
 */
#include "core/yw.h"
#include "core/ytime.h"
#include "store/db.h"
#include "domain/account/acct.h"
#include "domain/ticket/tk.h"
#include <time.h>

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One round: n tickets in batches of size; returns CPU seconds, or < 0. */
static double round_of(struct db *db, const struct yw_actor *a, int n, int size, int *seq)
{
	static const char *const titles[] = { "核心交换机端口down", "数据库服务器宕机", "邮件系统响应缓慢",
					      "VPN专线 connection timeout", "存储阵列磁盘告警" };
	struct yw_err err = YW_ERR_INIT;
	double t0 = thread_cpu();
	char title[128];
	int unflushed = 0, done;

	for (int i = 0; i < n; i += size) {
		if (db_batch_begin(db, &err))
			goto fail;
		for (int j = 0; j < size && i + j < n; j++) {
			struct tk_new in = { .type = "incident", .channel = "monitoring", .impact = 2, .urgency = 2,
					     .description = "压测创建的工单\nload test" };
			int64_t id;
			(*seq)++;
			snprintf(title, sizeof(title), "%s #w-%d", titles[*seq % 5], *seq);
			in.title = title;
			if (tk_create(db, a, &in, &id, &err)) {
				db_batch_rollback(db);
				goto fail;
			}
		}
		if (db_batch_commit(db, &err))
			goto fail;
		/* the search entries, as the server's writer rebuilds them (batch.c) */
		for (unflushed += size; unflushed >= TK_FTS_CHUNK; unflushed -= TK_FTS_CHUNK)
			if (tk_fts_flush(db, TK_FTS_CHUNK, &done, &err))
				goto fail;
	}
	do {
		if (tk_fts_flush(db, TK_FTS_CHUNK, &done, &err))
			goto fail;
	} while (done == TK_FTS_CHUNK);
	return thread_cpu() - t0;
fail:
	fprintf(stderr, "yw_bench_writer: %s\n", err.msg);
	return -1;
}

int main(int argc, char **argv)
{
	static const int sizes[] = { 1, 5, 20 };
	struct yw_actor admin = { .user_id = 1, .role = ROLE_ADMIN, .login = "admin" };
	struct yw_err err = YW_ERR_INIT;
	struct db *db;
	int per_round = argc > 2 ? atoi(argv[2]) : 2000, seq = 0;
	double best[ARRAY_SIZE(sizes)];

	if (argc < 2 || per_round < 20) {
		fprintf(stderr, "usage: yw_bench_writer DB [PER_ROUND >= 20]\n");
		return 2;
	}
	/* the connection as the server's writer has it (src/http/batch.c) */
	if (db_open(&db, argv[1], &err) || db_migrate(db, NULL, &err) || db_defer_checkpoints(db, &err) ||
	    db_trust_references(db, &err)) {
		fprintf(stderr, "yw_bench_writer: %s\n", err.msg);
		return 1;
	}
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		best[s] = 0;
		for (int r = 0; r < 3; r++) {
			double t = round_of(db, &admin, per_round, sizes[s], &seq);
			if (t < 0) {
				db_close(db);
				return 1;
			}
			if (!r || t < best[s])
				best[s] = t;
			if (db_checkpoint(db, &err)) {
				fprintf(stderr, "yw_bench_writer: %s\n", err.msg);
				yw_err_clear(&err);
			}
		}
	}
	/* per ticket at size k: commit / k + ticket; from sizes 1 and 20 */
	double us[ARRAY_SIZE(sizes)];
	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++)
		us[s] = best[s] * 1e6 / per_round;
	double commit = (us[0] - us[2]) / (1 - 1.0 / sizes[2]);
	printf("batch1=%.0f batch5=%.0f batch20=%.0f commit=%.0f ticket=%.0f\n", us[0], us[1], us[2], commit,
	       us[2] - commit / sizes[2]);
	db_close(db);
	return 0;
}
