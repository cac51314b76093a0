/*
 * demo.c - the demo department (see demo.h). Accounts, groups and
 * categories are plain rows; the tickets are made through tk_* as the
 * people who would make them, so their history is real. The clock is
 * faked while loading so the tickets spread over the last week.
 */
#include "../../core/yw.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "demo.h"
#include "../ticket/tk.h"

#define DEMO_PASSWORD "demo1234"
#define DEMO_DESK "综合调度室"

const char demo_credentials[] =
	"demo logins (password " DEMO_PASSWORD "):\n"
	"  engineers   zhangwei 张伟, lina 李娜, wangqiang 王强, liuyang 刘洋\n"
	"  supervisors chenjing 陈静 (综合调度室, 基础网络室), huanglei 黄磊 (业务支撑室)\n"
	"  manager     zhaomin 赵敏\n"
	"  customers   hd_sun 孙建国, hd_zhou 周丽 (华东电力信息公司), xn_li 李明 (西南能源数据中心)\n";

static const struct {
	const char *login, *name, *role, *org, *phone;
} demo_users[] = {
	{ "zhangwei", "张伟", "engineer", NULL, "13800000001" },
	{ "lina", "李娜", "engineer", NULL, "13800000002" },
	{ "wangqiang", "王强", "engineer", NULL, "13800000003" },
	{ "liuyang", "刘洋", "engineer", NULL, "13800000004" },
	{ "chenjing", "陈静", "supervisor", NULL, "13800000005" },
	{ "huanglei", "黄磊", "supervisor", NULL, "13800000006" },
	{ "zhaomin", "赵敏", "manager", NULL, "13800000007" },
	{ "hd_sun", "孙建国", "customer", "华东电力信息公司", "13900000001" },
	{ "hd_zhou", "周丽", "customer", "华东电力信息公司", "13900000002" },
	{ "xn_li", "李明", "customer", "西南能源数据中心", "13900000003" },
};

static const struct {
	const char *name, *code;
} demo_orgs[] = {
	{ "华东电力信息公司", "HDDL" },
	{ "西南能源数据中心", "XNNY" },
};

static const struct {
	const char *name, *supervisor, *description;
	const char *members[4];
} demo_groups[] = {
	{ "综合调度室", "chenjing", "服务台与调度：受理、派单、跟踪", { "zhangwei", "chenjing", NULL } },
	{ "基础网络室", "chenjing", "网络、专线与服务器硬件", { "lina", "wangqiang", NULL } },
	{ "业务支撑室", "huanglei", "应用系统与账号权限", { "liuyang", "wangqiang", "huanglei", NULL } },
};

static const struct {
	const char *name, *parent, *group;
	bool approval;
} demo_cats[] = {
	{ "网络", NULL, "基础网络室", false },
	{ "交换机", "网络", "基础网络室", false },
	{ "路由器", "网络", "基础网络室", false },
	{ "专线", "网络", "基础网络室", false },
	{ "服务器", NULL, "基础网络室", false },
	{ "硬件故障", "服务器", "基础网络室", false },
	{ "操作系统", "服务器", "业务支撑室", false },
	{ "应用系统", NULL, "业务支撑室", false },
	{ "账号权限", "应用系统", "业务支撑室", true },
	{ "性能", "应用系统", "业务支撑室", false },
	{ "桌面运维", NULL, "综合调度室", false },
};

static int64_t lookup(struct db *db, const char *sql, const char *key)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t id = 0;
	if (key && db_queryint(db, &id, &err, sql, "s", key))
		id = 0;
	return id;
}

static int64_t user_id(struct db *db, const char *login)
{
	return lookup(db, "SELECT id FROM users WHERE lower(login) = lower(?)", login);
}

static int64_t cat_id(struct db *db, const char *name)
{
	return lookup(db, "SELECT id FROM categories WHERE name = ?", name);
}

static int load_people(struct db *db, struct yw_err *err)
{
	char hash[ACCT_HASH_MAX];
	int64_t now = yw_now(), id;
	int rc;

	/* one hash for all: demo accounts share the documented password anyway */
	if ((rc = acct_password_hash(DEMO_PASSWORD, hash, err)))
		return rc;
	for (size_t i = 0; i < ARRAY_SIZE(demo_orgs); i++)
		if ((rc = db_execf(db, err, "INSERT INTO organizations(name, code, created_at, updated_at)"
				   " VALUES (?, ?, ?, ?)", "ssii", demo_orgs[i].name, demo_orgs[i].code, now, now)))
			return rc;
	for (size_t i = 0; i < ARRAY_SIZE(demo_users); i++) {
		int64_t org = lookup(db, "SELECT id FROM organizations WHERE name = ?", demo_users[i].org);
		char email[128];
		snprintf(email, sizeof(email), "%s@%s", demo_users[i].login,
			 demo_users[i].org ? "customer.example.cn" : "yunwei.example.cn");
		if ((rc = db_queryint(db, &id, err, "INSERT INTO users(login, display_name, email, phone, role, org_id,"
				      " password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
				      " RETURNING id", "sssssdsii", demo_users[i].login, demo_users[i].name, email,
				      demo_users[i].phone, demo_users[i].role, org, hash, now, now)) ||
		    (rc = acct_audit(db, &acct_system, "user.create", "user", id, NULL, err)))
			return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(demo_groups); i++) {
		if ((rc = db_queryint(db, &id, err, "INSERT INTO groups(name, description, supervisor_id, created_at,"
				      " updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id", "ssdii", demo_groups[i].name,
				      demo_groups[i].description, user_id(db, demo_groups[i].supervisor), now, now)))
			return rc;
		for (size_t m = 0; demo_groups[i].members[m]; m++)
			if ((rc = db_execf(db, err, "INSERT INTO group_members(group_id, user_id) VALUES (?, ?)", "ii",
					   id, user_id(db, demo_groups[i].members[m]))))
				return rc;
	}
	/* the service desk: tickets that name no category (or one without a group) land there */
	if ((rc = db_execf(db, err, "UPDATE groups SET is_desk = 1 WHERE name = ?", "s", DEMO_DESK)))
		return rc;
	for (size_t i = 0; i < ARRAY_SIZE(demo_cats); i++)
		if ((rc = db_execf(db, err, "INSERT INTO categories(parent_id, name, default_group_id, requires_approval,"
				   " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", "dsdiii",
				   cat_id(db, demo_cats[i].parent), demo_cats[i].name,
				   lookup(db, "SELECT id FROM groups WHERE name = ?", demo_cats[i].group),
				   (int64_t)demo_cats[i].approval, now, now)))
			return rc;
	return 0;
}

/* One step of a demo ticket's life, done as a named person. */
enum step_kind { S_MOVE, S_COMMENT, S_NOTE, S_WORKLOG };
struct step {
	enum step_kind kind;
	const char *who;
	const char *to;       /* S_MOVE */
	const char *text;     /* note, comment body, resolution code for resolved */
	const char *extra;    /* assignee login for assigned; resolution notes for resolved */
	int minutes;          /* S_WORKLOG */
};

static const struct {
	const char *type, *title, *description, *category, *by, *requester, *channel;
	int impact, urgency;
	struct step steps[8];
} demo_tickets[] = {
	{ "incident", "核心交换机端口频繁宕机", "机房A 核心交换机 Gi1/0/24 端口每隔数分钟 down/up，影响财务系统访问。",
	  "交换机", "zhangwei", "hd_sun", "phone", 1, 1,
	  { { S_MOVE, "chenjing", "assigned", NULL, "lina", 0 },
	    { S_MOVE, "lina", "in_progress", NULL, NULL, 0 },
	    { S_NOTE, "lina", NULL, "怀疑光模块老化，已申请备件。", NULL, 0 },
	    { S_WORKLOG, "lina", NULL, "现场排查光模块", NULL, 90 },
	    { S_COMMENT, "lina", NULL, "已定位为光模块故障，正在更换，预计30分钟内恢复。", NULL, 0 } } },
	{ "incident", "数据库服务器磁盘空间不足", "ERP 数据库服务器 /data 分区使用率 97%，告警持续。",
	  "操作系统", "zhangwei", "hd_zhou", "monitoring", 2, 1,
	  { { S_MOVE, "huanglei", "assigned", NULL, "liuyang", 0 },
	    { S_MOVE, "liuyang", "in_progress", NULL, NULL, 0 },
	    { S_WORKLOG, "liuyang", NULL, "清理归档日志", NULL, 45 },
	    { S_MOVE, "liuyang", "resolved", "fixed", "清理归档日志 120GB，并调整了日志保留策略。", 0 } } },
	{ "incident", "办公网打印机无法连接", "三楼东侧打印机无法打印，显示脱机。",
	  "桌面运维", "hd_sun", NULL, "portal", 3, 3, { { S_COMMENT, "hd_sun", NULL, "今天下午需要打印合同，请尽快处理。", NULL, 0 } } },
	{ "request", "申请开通OA系统账号", "新员工王小明入职，需要开通OA系统账号及邮箱。",
	  "账号权限", "hd_zhou", NULL, "portal", 3, 2, { { S_COMMENT, "hd_zhou", NULL, "员工工号 HD2026088。", NULL, 0 } } },
	{ "request", "申请财务系统只读权限", "审计部需要财务系统只读权限，为期一个月。",
	  "账号权限", "hd_sun", NULL, "portal", 3, 3,
	  { { S_MOVE, "huanglei", "approved", NULL, NULL, 0 },
	    { S_MOVE, "huanglei", "assigned", NULL, "liuyang", 0 } } },
	{ "request", "申请VPN管理员权限", "外包人员申请VPN管理员权限。",
	  "账号权限", "hd_zhou", NULL, "email", 3, 3,
	  { { S_MOVE, "huanglei", "rejected", "外包人员不得持有管理员权限，请改申请普通账号。", NULL, 0 } } },
	{ "incident", "专线中断导致分公司无法访问总部", "杭州分公司至总部 MSTP 专线中断，运营商已报修。",
	  "专线", "zhangwei", "hd_sun", "phone", 1, 2,
	  { { S_MOVE, "wangqiang", "assigned", NULL, "wangqiang", 0 },
	    { S_MOVE, "wangqiang", "in_progress", NULL, NULL, 0 },
	    { S_MOVE, "wangqiang", "pending", "等待运营商抢修光缆，预计2小时。", NULL, 0 },
	    { S_COMMENT, "wangqiang", NULL, "运营商已到达现场抢修。", NULL, 0 } } },
	{ "incident", "OA系统访问缓慢", "上午9点起OA系统页面加载超过10秒。",
	  "性能", "hd_zhou", NULL, "portal", 2, 2,
	  { { S_MOVE, "huanglei", "assigned", NULL, "liuyang", 0 },
	    { S_MOVE, "liuyang", "in_progress", NULL, NULL, 0 },
	    { S_MOVE, "liuyang", "resolved", "workaround", "重启应用服务后恢复，根因待问题单跟踪。", 0 },
	    { S_MOVE, "hd_zhou", "closed", NULL, NULL, 0 } } },
	{ "incident", "服务器硬盘告警", "存储服务器 RAID 阵列一块硬盘预告警。",
	  "硬件故障", "zhangwei", NULL, "monitoring", 2, 3,
	  { { S_MOVE, "chenjing", "cancelled", "重复告警，已在其他工单处理。", NULL, 0 } } },
	{ "incident", "路由器CPU利用率过高", "出口路由器 CPU 持续 90% 以上。",
	  "路由器", "zhangwei", "xn_li", "phone", 2, 2,
	  { { S_MOVE, "chenjing", "assigned", NULL, "lina", 0 } } },
	{ "incident", "邮件系统无法发送外部邮件", "所有用户发送外部邮件退信。",
	  "应用系统", "hd_sun", NULL, "portal", 1, 1,
	  { { S_MOVE, "huanglei", "assigned", NULL, "liuyang", 0 },
	    { S_MOVE, "liuyang", "in_progress", NULL, NULL, 0 },
	    { S_NOTE, "liuyang", NULL, "发件服务器IP被列入黑名单，已联系解除。", NULL, 0 },
	    { S_MOVE, "liuyang", "resolved", "vendor_fixed", "黑名单已解除，外部邮件恢复。", 0 },
	    { S_MOVE, "hd_sun", "reopened", "仍有部分邮件退信。", NULL, 0 } } },
	{ "incident", "会议室投影仪无信号", "二楼大会议室投影仪无信号输入。",
	  "桌面运维", "zhangwei", "hd_zhou", "onsite", 3, 2, { { S_COMMENT, NULL, NULL, NULL, NULL, 0 } } },
};

static int act_as(struct db *db, const char *login, struct yw_actor *a, struct yw_err *err)
{
	int64_t id = user_id(db, login);
	if (!id)
		return yw_errf(err, YW_EINTERNAL, "", "demo user %s missing", login);
	return acct_load_actor(db, id, a, err);
}

static int run_step(struct db *db, int64_t tid, const struct step *s, struct yw_err *err)
{
	struct yw_actor a;
	json_t *j = NULL;
	int rc;

	if (!s->who)
		return 0;
	if ((rc = act_as(db, s->who, &a, err)))
		return rc;
	switch (s->kind) {
	case S_MOVE: {
		struct tk_move m;
		memset(&m, 0, sizeof(m));
		m.to = s->to;
		if (!strcmp(s->to, "resolved")) {
			m.resolution_code = s->text;
			m.resolution_notes = s->extra;
		} else {
			m.note = s->text;
			if (s->extra)
				m.assignee_id = user_id(db, s->extra);
		}
		return tk_transition(db, &a, tid, &m, err);
	}
	case S_COMMENT:
	case S_NOTE:
		rc = tk_comment(db, &a, tid, s->text, s->kind == S_NOTE, &j, err);
		break;
	case S_WORKLOG:
		rc = tk_worklog(db, &a, tid, s->minutes, s->text, &j, err);
		break;
	}
	json_decref(j);
	return rc;
}

static int load_tickets(struct db *db, struct yw_err *err)
{
	int64_t t0 = yw_now() - 7 * 86400;
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(demo_tickets) && !rc; i++) {
		struct tk_new in;
		struct yw_actor a;
		int64_t id;

		yw_time_set_fake(t0 + (int64_t)i * 12 * 3600);
		memset(&in, 0, sizeof(in));
		in.type = demo_tickets[i].type;
		in.title = demo_tickets[i].title;
		in.description = demo_tickets[i].description;
		in.category_id = cat_id(db, demo_tickets[i].category);
		in.channel = demo_tickets[i].channel;
		in.requester_id = user_id(db, demo_tickets[i].requester);
		in.urgency = demo_tickets[i].urgency;
		if ((rc = act_as(db, demo_tickets[i].by, &a, err)))
			break;
		/* customers state urgency; the desk grades impact */
		in.impact = a.role == ROLE_CUSTOMER ? 0 : demo_tickets[i].impact;
		if ((rc = tk_create(db, &a, &in, &id, err)))
			break;
		for (size_t s = 0; s < ARRAY_SIZE(demo_tickets[i].steps) && !rc; s++) {
			yw_time_set_fake(t0 + (int64_t)i * 12 * 3600 + ((int64_t)s + 1) * 1200);
			rc = run_step(db, id, &demo_tickets[i].steps[s], err);
		}
	}
	yw_time_set_fake(0);
	return rc;
}

int demo_load(struct db *db, struct yw_err *err)
{
	int rc;

	if (user_id(db, "zhangwei"))
		return 0;
	/* people first, in one transaction; each ticket step is its own */
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = load_people(db, err))) {
		db_rollback(db);
		return rc;
	}
	if ((rc = db_commit(db, err)))
		return rc;
	if ((rc = load_tickets(db, err)))
		return rc;
	/* the tickets' search entries, so that the database is whole without a server */
	if ((rc = tk_fts_flush_all(db, err)))
		return rc;
	return 1;
}
