/*
 * tk.h - tickets: incidents and service requests, their life cycle,
 * comments, work logs, attachments, links, history and search.
 *
 * Every call takes the caller as a struct yw_actor and decides what it
 * may see and do:
 *   - staff (engineer and up) see every ticket; customers see only their
 *     organisation's, and a ticket of another organisation is reported
 *     as YW_ENOTFOUND, exactly like one that does not exist;
 *   - engineers work tickets assigned to them or to their groups,
 *     supervisors also reassign and re-grade in the groups they lead,
 *     managers and admins do everything;
 *   - customers never see internal notes, work logs, internal
 *     attachments, the fault level, nor the history rows about them.
 *
 * Every mutation is one transaction that writes its ticket_history rows
 * and refreshes the search index; a call that fails changes nothing.
 * Functions return 0 or a negative YW_E* with err naming the field.
 * Calls that return JSON hand the reference to the caller.
 */
#ifndef YW_TK_H
#define YW_TK_H

#include "../../core/err.h"
#include <jansson.h>

struct db;
struct yw_actor;

/*
 * The ticket types. Each row says how numbers are made and which fields
 * apply; problem, change and release are added as rows.
 */
struct tk_type {
	const char *name;        /* "incident" */
	const char *prefix;      /* "INC": numbers are INC000001 */
	bool fault_level;        /* has a fault level (故障级别) */
	bool approval;           /* may need approval (category.requires_approval) */
};
extern const struct tk_type tk_types[];
const struct tk_type *tk_type_find(const char *name);

/* NULL-terminated value lists, for JSON decoding tables and validation. */
extern const char *const tk_type_names[];
extern const char *const tk_channels[];
extern const char *const tk_resolution_codes[];
extern const char *const tk_status_names[];

#define TK_TITLE_MAX 200
#define TK_TEXT_MAX 20000
#define TK_NOTE_MAX 4000

/* POST /tickets. 0 / NULL means "not given": the default applies. */
struct tk_new {
	const char *type;            /* required */
	const char *title;           /* required, 1..200 */
	const char *description;
	const char *channel;         /* default: portal for customers, web for staff */
	int64_t category_id;
	int64_t requester_id;        /* default: the caller */
	int64_t organization_id;     /* default: the requester's organisation */
	int64_t impact, urgency;     /* 1..3, default 3 */
	int64_t fault_level;         /* incidents only; default from the priority */
	int64_t group_id;            /* default: the category's default group */
	int64_t assignee_id;         /* a staff member of the group */
};
int tk_create(struct db *db, const struct yw_actor *a, const struct tk_new *in, int64_t *id,
	      struct yw_err *err);
/*
 * tk_create, and on success the new ticket written to w as tk_get_write
 * writes it, from the row it has just written instead of read back.
 */
struct jw;
int tk_create_write(struct db *db, const struct yw_actor *a, const struct tk_new *in, int64_t *id,
		    struct jw *w, struct yw_err *err);

/*
 * Writes the ticket as JSON (core/jw.h), with readable names and
 * allowed_transitions for the caller; on an error it writes nothing.
 */
int tk_get_write(struct db *db, const struct yw_actor *a, int64_t id, struct jw *w, struct yw_err *err);

/* PATCH /tickets/{id}: set says which fields are present. */
enum {
	TKP_TITLE = 1 << 0,
	TKP_DESCRIPTION = 1 << 1,
	TKP_CATEGORY = 1 << 2,
	TKP_CHANNEL = 1 << 3,
	TKP_IMPACT = 1 << 4,
	TKP_URGENCY = 1 << 5,
	TKP_GROUP = 1 << 6,
	TKP_ASSIGNEE = 1 << 7,       /* 0 clears (only while nobody works it) */
	TKP_FAULT_LEVEL = 1 << 8,    /* needs regrade_reason */
	TKP_REGRADE_REASON = 1 << 9,
};
struct tk_patch {
	unsigned set;
	const char *title, *description, *channel, *regrade_reason;
	int64_t category_id, impact, urgency, group_id, assignee_id, fault_level;
};
/*
 * Applies a patch to the ticket at version (YW_ESTALE when it moved on).
 * Setting an assignee on a new, approved or reopened ticket assigns it.
 * A manager or the group's supervisor who names an assignee outside the
 * ticket's group (and no group_id) moves the ticket to the assignee's
 * group (the first by id) in the same change.
 */
int tk_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	      const struct tk_patch *p, struct yw_err *err);

/*
 * GET /tickets/{id}/assignees: {"groups":[{id, name, members:[{id, name,
 * login}]}]}, every active staff member the caller may assign the ticket
 * to, by group, the ticket's group first. Managers and the supervisor
 * of the ticket's group may name anyone (assigning someone of another
 * group moves the ticket there, see tk_update); an engineer of the group
 * only himself. Empty when nobody may be assigned now (a final status,
 * a request waiting for approval, a caller who may not assign it);
 * YW_EPERM for customers.
 */
int tk_assignees_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err);

/* A life-cycle step. to is a status name; the others depend on it. */
struct tk_move {
	const char *to;
	const char *note;              /* required for pending, reopened, rejected */
	const char *resolution_code;   /* required for resolved */
	const char *resolution_notes;
	int64_t assignee_id;           /* for assigned */
	int64_t version;               /* 0: do not check */
};
/*
 * Moves the ticket. A pair not in the life-cycle table is YW_ESTATE with
 * err->detail = {"allowed":[...]}; a pair the caller may not take is YW_EPERM.
 * A move to assigned naming someone outside the ticket's group moves the
 * ticket to their group, as tk_update does.
 */
int tk_transition(struct db *db, const struct yw_actor *a, int64_t id, const struct tk_move *m,
		  struct yw_err *err);
/* {"items":[{"to":..., "requires":[...]}]}: what the caller may do now. */
int tk_transitions_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out,
			struct yw_err *err);

/* Comments (public) and notes (internal = true, staff only). out: the entry. */
int tk_comment(struct db *db, const struct yw_actor *a, int64_t id, const char *body, bool internal,
	       json_t **out, struct yw_err *err);
/* A work log: minutes 1..1440 spent, by staff who work the ticket. */
int tk_worklog(struct db *db, const struct yw_actor *a, int64_t id, int64_t minutes, const char *note,
	       json_t **out, struct yw_err *err);
/*
 * The timeline the caller may see, oldest first: {"items":[...]}, at most
 * limit entries with ids above after; *next is the last id of the page
 * when more follow (the caller's cursor), else 0.
 */
int tk_entries_json(struct db *db, const struct yw_actor *a, int64_t id, int64_t after, int limit,
		    json_t **out, int64_t *next, struct yw_err *err);
/* The history the caller may see, paged the same way: {"items":[{id, at, actor, field, old, new, note}]}. */
int tk_history_json(struct db *db, const struct yw_actor *a, int64_t id, int64_t after, int limit,
		    json_t **out, int64_t *next, struct yw_err *err);

/* Related tickets: symmetric links, staff only. */
int tk_link(struct db *db, const struct yw_actor *a, int64_t id, int64_t other, struct yw_err *err);
int tk_unlink(struct db *db, const struct yw_actor *a, int64_t id, int64_t other, struct yw_err *err);

/*
 * GET /tickets: every parameter as the query string gave it (NULL when
 * absent); the domain validates each one and names it on error.
 */
struct tk_query {
	const char *status, *type, *priority, *fault_level, *group, *assignee, *organization,
		*requester, *category, *q, *created_after, *created_before, *sort, *limit, *cursor;
	/* SLA filters (sla_filter_sql in sla.h): sla_state=running,paused,warning,breached,met; breach_before=ISO */
	const char *sla_state, *breach_before;
};
#define TK_LIST_DEFAULT 50
#define TK_LIST_MAX 200
/* Writes {"items": [...], "next_cursor": ...}; on an error, what it wrote is to be discarded. */
int tk_list_write(struct db *db, const struct yw_actor *a, const struct tk_query *q, struct jw *w,
		  struct yw_err *err);

/*
 * The search index is brought up to date in bulk, not in the
 * transaction of each change: FTS5 writes a new segment at every commit
 * that touches it, which was a quarter of the work of writing a ticket.
 * A change marks its ticket (search_pending, in the change's own
 * transaction, so a crash loses no mark); tk_fts_flush() rebuilds the
 * entries of up to max marked tickets in one write transaction of its
 * own (the caller holds none) and sets *done to how many;
 * tk_fts_flush_all() flushes every mark, TK_FTS_CHUNK to a transaction:
 * a chunk holds the write lock about a millisecond, so writers wait no
 * longer than for a batch of their own, and one FTS5 segment serves the
 * chunk. The server flushes in the background and at start. tk_list_write() calls
 * tk_fts_sync() before a search, so a search finds every change
 * committed before it: when tickets are marked and the caller holds no
 * write transaction, it ends the caller's read transaction, if any,
 * flushes them all and begins a new read transaction.
 */
#define TK_FTS_CHUNK 64
int tk_fts_flush(struct db *db, int max, int *done, struct yw_err *err);
int tk_fts_flush_all(struct db *db, struct yw_err *err);
int tk_fts_sync(struct db *db, struct yw_err *err);
/*
 * How many marks this process has made since it started (counting those
 * whose transaction was undone): a flusher that saw the count before its
 * last flush knows whether anything may have been marked since.
 */
uint64_t tk_fts_marks(void);

/*
 * The list's parameters, one table for everyone who speaks them: the
 * names (NULL-terminated) are what GET /tickets hands http_query_check(),
 * and tk_query_set() stores a value into the member of that name, so a
 * parameter added here is accepted by the endpoint and by saved views
 * (view.h) at once. tk_query_set() returns YW_EUNKNOWN, naming the
 * parameter, for a name not in the table.
 */
extern const char *const tk_query_params[];
int tk_query_set(struct tk_query *q, const char *name, const char *value, struct yw_err *err);
/*
 * Validates q for a exactly as tk_list_write() would (the same builder,
 * the same messages, err naming the parameter), without reading tickets.
 */
int tk_list_check(struct db *db, const struct yw_actor *a, const struct tk_query *q, struct yw_err *err);

/*
 * Attachments are stored once per content under dir/ab/cdef... (the
 * SHA-256 in hex), dir being <database dir>/attachments.
 */
#define TK_ATTACH_MAX (10u << 20)
struct tk_upload {
	const char *filename;       /* 1..200 characters, no / \ or control characters */
	const char *content_type;   /* as sent (parameters ignored); NULL: octet-stream */
	bool internal;
	const void *data;
	size_t len;
};
/* The content type to store for what a client sent, or NULL when not allowed. */
const char *tk_attach_type(const char *content_type);
/* An attachment's file name: 1..200 characters, no / \ or control characters. */
int tk_attach_check_filename(const char *filename, struct yw_err *err);
int tk_attach_add(struct db *db, const struct yw_actor *a, const char *dir, int64_t id,
		  const struct tk_upload *u, json_t **out, struct yw_err *err);
/* The attachments the caller may see, paged like tk_entries_json. */
int tk_attach_list_json(struct db *db, const struct yw_actor *a, int64_t id, int64_t after, int limit,
			json_t **out, int64_t *next, struct yw_err *err);
/* An attachment's bytes: release with tk_blob_release. */
struct tk_blob {
	char *data;
	size_t len;
	char content_type[128];
	char filename[1024];
};
int tk_attach_get(struct db *db, const struct yw_actor *a, const char *dir, int64_t attachment_id,
		  struct tk_blob *out, struct yw_err *err);
void tk_blob_release(struct tk_blob *b);

#endif
