/*
 * gen.c - yw_bench_gen DB [N]: a benchmark database of N tickets (default
 * 100000) in the 0001 schema, written with direct SQL in big transactions.
 *
 * The data is shaped like a real desk's so that filters and searches have
 * realistic selectivity: a few organisations, five support groups with
 * supervisors and engineers, customer contacts, a category tree; tickets
 * over two years, mostly closed, with Chinese and English titles and
 * descriptions (宕机 in about 5% of tickets, timeout about 3%, 磁盘 about
 * 8%), each indexed in ticket_fts with the same tokenizer as the server.
 * The counters are left after the last number so new tickets do not
 * collide. The output is the same for the same N (fixed random seed).
 *
 * An admin user "admin" is created with the password from
 * YUNWEI_ADMIN_PASSWORD (default bench-admin-pass).
 */
#include "core/yw.h"
#include "core/strbuf.h"
#include "core/tok.h"
#include "core/ytime.h"
#include "store/db.h"
#include "domain/account/acct.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int64_t pick(int64_t n)
{
	return (int64_t)(next() % (uint64_t)n);
}

#define PICK(arr) (arr)[pick(ARRAY_SIZE(arr))]

/* A choice with weights; the table ends with a zero weight. */
struct weighted {
	const char *s;
	int w;
};

static const char *pick_w(const struct weighted *t)
{
	int total = 0;
	for (const struct weighted *p = t; p->w; p++)
		total += p->w;
	int r = (int)pick(total);
	for (const struct weighted *p = t; p->w; p++)
		if ((r -= p->w) < 0)
			return p->s;
	return t[0].s;
}

static const char *const systems[] = {
	"核心交换机", "数据库服务器", "邮件系统", "OA系统", "财务系统", "VPN专线", "存储阵列",
	"Web服务器", "Redis集群", "Kafka集群", "负载均衡", "DNS服务", "堡垒机", "监控平台",
	"ERP系统", "CRM system", "payment gateway", "file server",
};

/* incident problems; weights set how often each word appears in titles */
static const struct weighted problems[] = {
	{ "宕机", 5 }, { "磁盘空间不足", 5 }, { "响应缓慢", 10 }, { "connection timeout", 3 },
	{ "端口down", 6 }, { "CPU使用率过高", 8 }, { "内存泄漏", 4 }, { "无法登录", 10 },
	{ "告警: disk full", 3 }, { "证书过期", 4 }, { "备份失败", 6 }, { "网络丢包", 8 },
	{ "服务异常重启", 8 }, { "high latency", 5 }, { "进程僵死", 4 }, { "页面报错500", 11 },
	{ NULL, 0 },
};

static const char *const requests[] = {
	"申请VPN账号", "开通数据库只读权限", "新员工电脑配置", "申请服务器资源", "防火墙策略开通",
	"重置邮箱密码", "安装办公软件", "申请域名解析", "扩容磁盘", "request new laptop",
	"open firewall port 443", "申请堡垒机账号",
};

static const char *const sentences[] = {
	"用户反馈业务系统访问异常，影响范围为本部门。",
	"监控平台于凌晨触发告警，值班人员已电话通知。",
	"已检查网络连通性，ping 丢包率约 30%。",
	"现场工程师已到达机房，正在排查硬件。",
	"日志显示 ERROR: upstream timed out while reading response header.",
	"kernel: EXT4-fs error (device sdb1): ext4_find_entry: reading directory lblock 0",
	"重启服务后暂时恢复，需要进一步分析根因。",
	"客户要求今天下班前给出处理方案。",
	"The application pool recycled twice in the last hour.",
	"请协助确认是否与昨晚的变更有关。",
	"数据库连接池耗尽，应用大量报错。",
	"Ping to gateway OK, DNS resolution slow.",
};

/* rare extra words, so that searches for them have low selectivity */
static const struct weighted extras[] = {
	{ "", 80 }, { "磁盘 I/O 等待过高。", 4 }, { "出现 timeout 错误。", 2 }, { "疑似服务器宕机。", 1 },
	{ "RAID 卡告警，磁盘掉线。", 2 }, { "session timeout after 30s", 1 }, { "割接后出现。", 3 },
	{ NULL, 0 },
};

static const struct weighted statuses[] = {
	{ "new", 8 }, { "assigned", 12 }, { "in_progress", 12 }, { "pending", 5 }, { "resolved", 10 },
	{ "closed", 45 }, { "cancelled", 3 }, { "pending_approval", 2 }, { "reopened", 3 }, { NULL, 0 },
};

static const char *const channels[] = { "phone", "email", "web", "portal", "monitoring", "onsite" };

#define NGROUPS 5
#define PER_GROUP 5
#define NORGS 4
#define PER_ORG 3

struct ids {
	int64_t group[NGROUPS], supervisor[NGROUPS], engineer[NGROUPS][PER_GROUP];
	int64_t org[NORGS], customer[NORGS][PER_ORG];
	int64_t category[16], category_group[16];
	size_t ncategories;
	int64_t manager;
};

static void die(const struct yw_err *err, const char *what)
{
	fprintf(stderr, "yw_bench_gen: %s: %s\n", what, err->msg);
	exit(1);
}


static int64_t user(struct db *db, const char *login, const char *name, const char *role, int64_t org,
		    int64_t now)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t id;
	if (db_queryint(db, &id, &err,
			"INSERT INTO users(login, display_name, email, phone, role, org_id, created_at, updated_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", "sssssdii", login, name,
			NULL, NULL, role, org, now, now))
		die(&err, login);
	return id;
}

static void setup_people(struct db *db, struct ids *ids, int64_t now)
{
	static const char *const groups[NGROUPS] = { "综合调度室", "基础网络室", "业务支撑室", "数据库组", "桌面运维组" };
	static const char *const orgs[NORGS] = { "华东电力信息公司", "华南电网数据中心", "北方银行科技部", "西部物流集团" };
	static const char *const surnames[] = { "张", "李", "王", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙" };
	static const char *const given[] = { "伟", "娜", "强", "洋", "静", "敏", "磊", "军", "芳", "杰", "勇", "艳" };
	struct yw_err err = YW_ERR_INIT;
	char login[32], name[32];

	ids->manager = user(db, "zhaomin", "赵敏", "manager", 0, now);
	for (int g = 0; g < NGROUPS; g++) {
		snprintf(login, sizeof(login), "sup%d", g + 1);
		snprintf(name, sizeof(name), "%s%s", PICK(surnames), PICK(given));
		ids->supervisor[g] = user(db, login, name, "supervisor", 0, now);
		if (db_queryint(db, &ids->group[g], &err,
				"INSERT INTO groups(name, supervisor_id, created_at, updated_at) VALUES (?, ?, ?, ?)"
				" RETURNING id", "sdii", groups[g], ids->supervisor[g], now, now))
			die(&err, "group");
		for (int e = 0; e < PER_GROUP; e++) {
			snprintf(login, sizeof(login), "eng%d_%d", g + 1, e + 1);
			snprintf(name, sizeof(name), "%s%s%s", PICK(surnames), PICK(given), PICK(given));
			ids->engineer[g][e] = user(db, login, name, "engineer", 0, now);
			if (db_execf(db, &err, "INSERT INTO group_members VALUES (?, ?)", "ii", ids->group[g],
				     ids->engineer[g][e]))
				die(&err, "member");
		}
	}
	for (int o = 0; o < NORGS; o++) {
		if (db_queryint(db, &ids->org[o], &err,
				"INSERT INTO organizations(name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id",
				"sii", orgs[o], now, now))
			die(&err, "organization");
		for (int c = 0; c < PER_ORG; c++) {
			snprintf(login, sizeof(login), "cust%d_%d", o + 1, c + 1);
			snprintf(name, sizeof(name), "%s%s", PICK(surnames), PICK(given));
			ids->customer[o][c] = user(db, login, name, "customer", ids->org[o], now);
		}
	}
}

static void setup_categories(struct db *db, struct ids *ids, int64_t now)
{
	static const struct {
		const char *parent, *name;
		int group;
		int approval;
	} cats[] = {
		{ NULL, "网络", 1, 0 }, { "网络", "交换机", 1, 0 }, { "网络", "路由器", 1, 0 }, { "网络", "专线", 1, 0 },
		{ NULL, "服务器", 0, 0 }, { "服务器", "硬件故障", 0, 0 }, { "服务器", "操作系统", 0, 0 },
		{ NULL, "应用系统", 2, 0 }, { "应用系统", "账号权限", 2, 1 }, { "应用系统", "性能", 2, 0 },
		{ NULL, "数据库", 3, 0 }, { NULL, "桌面运维", 4, 0 },
	};
	struct yw_err err = YW_ERR_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cats); i++) {
		int64_t parent = 0, id;
		for (size_t k = 0; k < i; k++)
			if (cats[i].parent && !cats[k].parent && !strcmp(cats[k].name, cats[i].parent))
				parent = ids->category[k];
		if (db_queryint(db, &id, &err,
				"INSERT INTO categories(parent_id, name, default_group_id, requires_approval, created_at,"
				" updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", "dsdiii", parent, cats[i].name,
				ids->group[cats[i].group], (int64_t)cats[i].approval, now, now))
			die(&err, "category");
		ids->category[i] = id;
		ids->category_group[i] = cats[i].group;
	}
	ids->ncategories = ARRAY_SIZE(cats);
}

static const char ticket_sql[] =
	"INSERT INTO tickets(id, number, type, status, title, description, category_id, channel,"
	" requester_id, org_id, impact, urgency, priority, fault_level, group_id, assignee_id,"
	" resolution_code, resolution_notes, created_by, created_at, updated_at, assigned_at,"
	" first_response_at, in_progress_at, pending_at, resolved_at, closed_at, cancelled_at,"
	" reopened_at, reopen_count)"
	" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

static bool past(const char *status, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(*list, status))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const int matrix[3][3] = { { 1, 2, 3 }, { 2, 3, 4 }, { 3, 4, 4 } };
	static const char *const assigned_or_later[] = { "assigned", "in_progress", "pending", "resolved",
							 "closed", "reopened", NULL };
	static const char *const worked[] = { "in_progress", "pending", "resolved", "closed", "reopened", NULL };
	static const char *const done[] = { "resolved", "closed", "reopened", NULL };
	struct yw_err err = YW_ERR_INIT;
	struct strbuf title = STRBUF_INIT, desc = STRBUF_INIT, fts = STRBUF_INIT;
	struct ids ids;
	struct db *db;
	int64_t n = 100000, now = yw_now(), ninc = 0, nreq = 0, t0 = yw_now_ms();
	const char *pw = getenv("YUNWEI_ADMIN_PASSWORD");

	if (argc < 2 || argc > 3 || (argc == 3 && (n = strtoll(argv[2], NULL, 10)) < 1)) {
		fprintf(stderr, "usage: yw_bench_gen DB [N]\n");
		return 2;
	}
	if (db_open(&db, argv[1], &err) || db_migrate(db, NULL, &err))
		die(&err, argv[1]);
	if (db_queryint(db, &ninc, &err, "SELECT count(*) FROM tickets", "") || ninc) {
		fprintf(stderr, "yw_bench_gen: %s already has tickets\n", argv[1]);
		return 1;
	}
	if (acct_bootstrap_admin(db, pw ? pw : "bench-admin-pass", NULL, &err) < 0)
		die(&err, "admin");
	/* a throw-away database: durability is not the point while loading */
	if (db_exec(db, "PRAGMA synchronous = OFF", &err) || db_begin(db, &err))
		die(&err, "setup");
	memset(&ids, 0, sizeof(ids));
	setup_people(db, &ids, now - 800 * 86400);
	setup_categories(db, &ids, now - 800 * 86400);
	if (db_commit(db, &err))
		die(&err, "commit");

	int64_t start = now - 730 * 86400, step = 730 * 86400 / n;
	if (step < 1)
		step = 1;
	for (int64_t id = 1; id <= n; id++) {
		struct db_stmt *st;
		bool incident = pick(10) < 7;
		const char *status = pick_w(statuses);
		size_t ci = (size_t)pick((int64_t)ids.ncategories);
		int o = (int)pick(NORGS);
		bool by_customer = pick(3) == 0;
		int64_t impact = 1 + (pick(10) < 2 ? 0 : pick(10) < 5 ? 1 : 2);
		int64_t urgency = 1 + (pick(10) < 2 ? 0 : pick(10) < 5 ? 1 : 2);
		int64_t prio = matrix[impact - 1][urgency - 1];
		int64_t created = start + (id - 1) * step + pick(step);
		int64_t requester = by_customer ? ids.customer[o][pick(PER_ORG)] : 0;
		char number[32];

		if (!incident && !strcmp(status, "pending_approval"))
			ci = 8;   /* 账号权限 requires approval */
		else if (incident && !strcmp(status, "pending_approval"))
			status = "new";
		int g = (int)ids.category_group[ci];
		int64_t assignee = past(status, assigned_or_later) ? ids.engineer[g][pick(PER_GROUP)] : 0;
		snprintf(number, sizeof(number), "%s%06" PRId64, incident ? "INC" : "REQ",
			 incident ? ++ninc : ++nreq);
		strbuf_reset(&title);
		strbuf_reset(&desc);
		if (incident)
			strbuf_addf(&title, "%s%s", PICK(systems), pick_w(problems));
		else
			strbuf_addf(&title, "%s - %s", PICK(requests), PICK(systems));
		for (int s = 0, ns = 1 + (int)pick(4); s < ns; s++)
			strbuf_addf(&desc, "%s%s", s ? "\n" : "", PICK(sentences));
		strbuf_addstr(&desc, pick_w(extras));

		if (id % 20000 == 1 && db_begin(db, &err))
			die(&err, "begin");
		if (db_prepare(db, ticket_sql, &st, &err))
			die(&err, "prepare");
		int c = 1;
		db_bind_int(st, c++, id);
		db_bind_text(st, c++, number);
		db_bind_text(st, c++, incident ? "incident" : "request");
		db_bind_text(st, c++, status);
		db_bind_text(st, c++, title.buf);
		db_bind_text(st, c++, desc.buf);
		db_bind_id(st, c++, ids.category[ci]);
		db_bind_text(st, c++, by_customer ? "portal" : PICK(channels));
		db_bind_id(st, c++, requester ? requester : ids.engineer[0][pick(PER_GROUP)]);
		db_bind_id(st, c++, by_customer ? ids.org[o] : 0);
		db_bind_int(st, c++, impact);
		db_bind_int(st, c++, urgency);
		db_bind_int(st, c++, prio);
		db_bind_id(st, c++, incident ? (prio == 1 ? 1 : prio == 2 ? 2 : 3) : 0);
		db_bind_id(st, c++, ids.group[g]);
		db_bind_id(st, c++, assignee);
		db_bind_text(st, c++, past(status, done) ? "fixed" : NULL);
		db_bind_text(st, c++, past(status, done) ? "已处理，业务恢复正常。" : NULL);
		db_bind_id(st, c++, requester ? requester : ids.engineer[0][0]);
		db_bind_int(st, c++, created);
		db_bind_int(st, c++, created + 3600);
		db_bind_id(st, c++, assignee ? created + 600 : 0);
		db_bind_id(st, c++, past(status, worked) ? created + 900 : 0);
		db_bind_id(st, c++, past(status, worked) ? created + 900 : 0);
		db_bind_id(st, c++, !strcmp(status, "pending") ? created + 1800 : 0);
		db_bind_id(st, c++, past(status, done) ? created + 3000 : 0);
		db_bind_id(st, c++, !strcmp(status, "closed") ? created + 3600 : 0);
		db_bind_id(st, c++, !strcmp(status, "cancelled") ? created + 1200 : 0);
		db_bind_id(st, c++, !strcmp(status, "reopened") ? created + 3500 : 0);
		db_bind_int(st, c++, !strcmp(status, "reopened") ? 1 : 0);
		if (db_step(st, &err) < 0)
			die(&err, "insert ticket");
		db_done(st);

		strbuf_reset(&fts);
		tok_index(number, strlen(number), &fts);
		tok_index(title.buf, title.len, &fts);
		tok_index(desc.buf, desc.len, &fts);
		if (db_fts_put(db, id, fts.buf, "", &err))
			die(&err, "fts");
		if ((id % 20000 == 0 || id == n) && db_commit(db, &err))
			die(&err, "commit");
		if (id % 100000 == 0)
			fprintf(stderr, "yw_bench_gen: %" PRId64 " tickets\n", id);
	}
	if (db_begin(db, &err) ||
	    db_execf(db, &err, "INSERT INTO counters(name, value) VALUES ('INC', ?)"
		     " ON CONFLICT(name) DO UPDATE SET value = excluded.value", "i", ninc) ||
	    db_execf(db, &err, "INSERT INTO counters(name, value) VALUES ('REQ', ?)"
		     " ON CONFLICT(name) DO UPDATE SET value = excluded.value", "i", nreq) ||
	    db_commit(db, &err))
		die(&err, "counters");
	if (db_fts_optimize(db, &err))
		die(&err, "search index");
	if (db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &err))
		die(&err, "checkpoint");
	db_close(db);
	strbuf_release(&title);
	strbuf_release(&desc);
	strbuf_release(&fts);
	printf("generated %" PRId64 " tickets (%" PRId64 " incidents, %" PRId64 " requests) in %" PRId64 " ms\n",
	       n, ninc, nreq, yw_now_ms() - t0);
	return 0;
}
