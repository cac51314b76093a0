/*
 * tk_notify.c - who a ticket's events tell, and what: the in-app
 * notifications of assignment, reassignment, a customer's reply,
 * resolution, reopening and approval requests, written into the outbox
 * (notify.h) in the transaction of the change, as the SLA warnings are.
 *
 * One table says, per event, who is concerned and what the texts say;
 * the person who acted is never told of their own action.
 */
#include "../../core/yw.h"
#include "../../core/strbuf.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../calendar/cal_tz.h"
#include "../directory/dir.h"
#include "../notify/notify.h"
#include "tk_int.h"

/* Who an event concerns, as bits. */
enum {
	TO_ASSIGNEE = 1 << 0,     /* the ticket's assignee */
	TO_PREV = 1 << 1,         /* the assignee it had before the change */
	TO_SUPERVISOR = 1 << 2,   /* the supervisor of the ticket's group */
	TO_SUP_NO_ASSIGNEE = 1 << 3,   /* the supervisor, when nobody is assigned */
	TO_REQUESTER = 1 << 4,
	TO_APPROVERS = 1 << 5,    /* the category's approver, else the managers */
};

/*
 * The texts take, in order: the ticket number, its title, the actor's
 * name, the time, and the event's word (the assignee's or group's name,
 * or an excerpt of the reply or reason). The previous assignee gets the
 * "prev" texts instead.
 */
static const struct {
	const char *kind;
	unsigned to;
	const char *subject_zh, *body_zh, *subject_en, *body_en;
} events[] = {
	[TN_ASSIGNED] = { "ticket_assigned", TO_ASSIGNEE | TO_PREV,
		"【指派】%s %s", "%3$s 于 %4$s 将工单 %1$s《%2$s》指派给您。",
		"[Assigned] %s %s", "%3$s assigned ticket %1$s \"%2$s\" to you at %4$s." },
	[TN_GROUP] = { "ticket_group", TO_SUP_NO_ASSIGNEE,
		"【待指派】%s %s", "%3$s 于 %4$s 将工单 %1$s《%2$s》转给%5$s，等待指派。",
		"[To assign] %s %s", "%3$s passed ticket %1$s \"%2$s\" to %5$s at %4$s; it waits to be assigned." },
	[TN_REPLY] = { "ticket_reply", TO_ASSIGNEE | TO_SUP_NO_ASSIGNEE,
		"【客户回复】%s %s", "%3$s 于 %4$s 回复了工单 %1$s《%2$s》：%5$s",
		"[Customer reply] %s %s", "%3$s replied on ticket %1$s \"%2$s\" at %4$s: %5$s" },
	[TN_RESUMED] = { "ticket_reply", TO_ASSIGNEE | TO_SUP_NO_ASSIGNEE,
		"【客户回复】%s %s", "%3$s 于 %4$s 回复了挂起的工单 %1$s《%2$s》，工单已恢复处理：%5$s",
		"[Customer reply] %s %s", "%3$s replied on pending ticket %1$s \"%2$s\" at %4$s; it is in progress again: %5$s" },
	[TN_RESOLVED] = { "ticket_resolved", TO_REQUESTER,
		"【请确认】%s %s 已解决", "您的工单 %1$s《%2$s》已由%3$s于 %4$s 解决，请确认是否关闭；如问题仍在，可重新打开。",
		"[Please confirm] %s %s is resolved", "Your ticket %1$s \"%2$s\" was resolved by %3$s at %4$s. Please confirm"
		" it can be closed, or reopen it if the problem remains." },
	[TN_REOPENED] = { "ticket_reopened", TO_ASSIGNEE | TO_SUPERVISOR,
		"【重新打开】%s %s", "%3$s 于 %4$s 重新打开了工单 %1$s《%2$s》：%5$s",
		"[Reopened] %s %s", "%3$s reopened ticket %1$s \"%2$s\" at %4$s: %5$s" },
	[TN_APPROVAL] = { "ticket_approval", TO_APPROVERS,
		"【待审批】%s %s", "%3$s 于 %4$s 将工单 %1$s《%2$s》提交审批（分类：%5$s），请您审批。",
		"[Approval] %s %s", "%3$s submitted ticket %1$s \"%2$s\" for approval at %4$s (category: %5$s)." },
};

static const char *const prev_zh = "%3$s 于 %4$s 将工单 %1$s《%2$s》改派给%5$s，您无需再处理。";
static const char *const prev_en = "%3$s reassigned ticket %1$s \"%2$s\" to %5$s at %4$s; it is no longer yours.";
static const char *const prev_subject_zh = "【改派】%s %s";
static const char *const prev_subject_en = "[Reassigned] %s %s";

#define TK_ZONE "Asia/Shanghai"

char *tk_fmt_people_time(int64_t t, char *buf, size_t size)
{
	struct yw_err err = YW_ERR_INIT;
	const struct cal_tz *tz;
	int32_t off = 8 * 3600;   /* Asia/Shanghai has kept UTC+8 since 1991 */

	if (!cal_tz_get(TK_ZONE, &tz, &err))
		off = cal_tz_offset(tz, t);
	yw_err_clear(&err);
	if (!yw_fmt_minute(t + off, buf, size))
		snprintf(buf, size, "-");
	return buf;
}

struct who {
	int64_t id[16];
	bool prev[16];
	size_t n;
};

/* Adds an active user, once, never the actor. */
static void add(struct db *db, const struct yw_actor *a, struct who *w, int64_t id, bool prev)
{
	struct yw_err e = YW_ERR_INIT;
	int64_t disabled = 1;

	if (!id || id == a->user_id || w->n == ARRAY_SIZE(w->id))
		return;
	for (size_t i = 0; i < w->n; i++)
		if (w->id[i] == id)
			return;
	if (db_queryint(db, &disabled, &e, "SELECT disabled FROM users WHERE id = ?", "i", id) || disabled) {
		yw_err_clear(&e);
		return;
	}
	w->prev[w->n] = prev;
	w->id[w->n++] = id;
}

static int64_t supervisor_of(struct db *db, int64_t group)
{
	struct yw_err e = YW_ERR_INIT;
	int64_t sup = 0;

	if (group && db_queryint(db, &sup, &e, "SELECT COALESCE(supervisor_id, 0) FROM groups WHERE id = ?", "i", group))
		sup = 0;
	yw_err_clear(&e);
	return sup;
}

/* The approver of the category (the supervisor of its group), else every manager. */
static int add_approvers(struct db *db, const struct yw_actor *a, const struct tk_row *t, struct who *w,
			 struct yw_err *err)
{
	struct yw_err e = YW_ERR_INIT;
	const struct dir *d;
	struct db_stmt *st;
	int64_t ids[16], sup = 0;
	size_t n = 0;
	int rc;

	if (t->category_id && !dir_get(db, &d, &e))
		sup = supervisor_of(db, dir_cat_group(d, t->category_id));
	yw_err_clear(&e);
	if (sup) {
		add(db, a, w, sup, false);
		return 0;
	}
	if ((rc = db_prepare(db, "SELECT id FROM users WHERE role = 'manager' AND disabled = 0 ORDER BY id LIMIT 16",
			     &st, err)))
		return rc;
	while ((rc = db_step(st, err)) == DB_ROW)
		ids[n++] = db_col_int(st, 0);
	db_done(st);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		add(db, a, w, ids[i], false);
	return 0;
}

int tk_notify(struct db *db, const struct yw_actor *a, const struct tk_notice *n, struct yw_err *err)
{
	const struct tk_row *t = n->t;
	unsigned to = events[n->ev].to;
	struct who w = { .n = 0 };
	struct strbuf bzh = STRBUF_INIT, ben = STRBUF_INIT, szh = STRBUF_INIT, sen = STRBUF_INIT, word = STRBUF_INIT;
	const char *actor = acct_user_name(db, a->user_id), *actor_en = actor;
	char when[32];
	int rc = 0;

	if (to & TO_ASSIGNEE)
		add(db, a, &w, t->assignee_id, false);
	if ((to & TO_PREV) && n->prev_assignee != t->assignee_id)
		add(db, a, &w, n->prev_assignee, true);
	if ((to & TO_SUPERVISOR) || ((to & TO_SUP_NO_ASSIGNEE) && !t->assignee_id))
		add(db, a, &w, supervisor_of(db, t->group_id), false);
	if (to & TO_REQUESTER)
		add(db, a, &w, t->requester_id, false);
	if ((to & TO_APPROVERS) && (rc = add_approvers(db, a, t, &w, err)))
		return rc;
	if (!w.n)
		return 0;
	if (n->text)
		tk_excerpt(n->text, 100, &word);
	tk_fmt_people_time(yw_now(), when, sizeof(when));
	if (!actor || !actor[0]) {
		actor = "系统";
		actor_en = "the system";
	}
	for (size_t i = 0; i < w.n && !rc; i++) {
		const char *fz = w.prev[i] ? prev_zh : events[n->ev].body_zh;
		const char *fe = w.prev[i] ? prev_en : events[n->ev].body_en;
		strbuf_reset(&szh);
		strbuf_reset(&sen);
		strbuf_reset(&bzh);
		strbuf_reset(&ben);
		strbuf_addf(&szh, w.prev[i] ? prev_subject_zh : events[n->ev].subject_zh, t->number, t->title);
		strbuf_addf(&sen, w.prev[i] ? prev_subject_en : events[n->ev].subject_en, t->number, t->title);
		strbuf_addf(&bzh, fz, t->number, t->title, actor, when, word.buf);
		strbuf_addf(&ben, fe, t->number, t->title, actor_en, when, word.buf);
		struct ntf_msg m = { w.id[i], events[n->ev].kind, t->id, szh.buf, bzh.buf, sen.buf, ben.buf };
		rc = ntf_add(db, &m, err);
	}
	strbuf_release(&szh);
	strbuf_release(&sen);
	strbuf_release(&bzh);
	strbuf_release(&ben);
	strbuf_release(&word);
	return rc;
}
