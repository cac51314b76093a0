/*
 * sqlite_insert.c - yw_bench_sqlite_insert DB [SECONDS]: the ceiling for
 * ticket creation. Inserts ticket-sized rows into the tickets table of a
 * fresh database opened the way the server opens it (WAL,
 * synchronous=NORMAL), one BEGIN IMMEDIATE ... COMMIT per row as a create
 * request does, for SECONDS (default 3), and prints rows/s. The server's
 * create also writes history, the search index and the counter, so it can
 * only approach this.
 */
#include "core/yw.h"
#include "core/ytime.h"
#include "store/db.h"

int main(int argc, char **argv)
{
	static const char desc[] =
		"用户反馈业务系统访问异常，影响范围为本部门。监控平台于凌晨触发告警，值班人员已电话通知。"
		"日志显示 ERROR: upstream timed out while reading response header.";
	struct yw_err err = YW_ERR_INIT;
	struct db *db;
	double seconds = argc > 2 ? atof(argv[2]) : 3;
	int64_t rows = 0, t0, now = yw_now();

	if (argc < 2 || seconds <= 0) {
		fprintf(stderr, "usage: yw_bench_sqlite_insert DB [SECONDS]\n");
		return 2;
	}
	if (db_open(&db, argv[1], &err) || db_migrate(db, NULL, &err)) {
		fprintf(stderr, "yw_bench_sqlite_insert: %s\n", err.msg);
		return 1;
	}
	t0 = yw_now_ms();
	while (yw_now_ms() - t0 < (int64_t)(seconds * 1000)) {
		for (int i = 0; i < 100; i++) {
			char number[32];
			snprintf(number, sizeof(number), "BEN%09" PRId64, ++rows);
			if (db_begin(db, &err) ||
			    db_execf(db, &err,
				     "INSERT INTO tickets(number, type, status, title, description, channel, impact,"
				     " urgency, priority, fault_level, created_at, updated_at)"
				     " VALUES (?, 'incident', 'new', ?, ?, 'phone', 2, 2, 3, 3, ?, ?)",
				     "sssii", number, "核心交换机端口down，机房A区业务中断", desc, now, now) ||
			    db_commit(db, &err)) {
				fprintf(stderr, "yw_bench_sqlite_insert: %s\n", err.msg);
				return 1;
			}
		}
	}
	double ms = (double)(yw_now_ms() - t0);
	printf("%.0f\n", rows * 1000.0 / ms);
	db_close(db);
	return 0;
}
