/*
 * notify.h - the notification outbox (通知): what a user is told, in
 * Chinese and English, and whether the user has read it.
 *
 * A row is written in the transaction of the event it reports (an SLA
 * escalation, for a start), so nothing is told about a change that was
 * rolled back. Every row has channel 'inbox': users read their own in
 * GET /api/v1/notifications. Delivery by mail or chat robots (a later
 * issue) reads the same rows; the outbox is its contract.
 *
 * Users only ever see their own rows: another user's notification is
 * YW_ENOTFOUND, exactly like one that does not exist.
 */
#ifndef YW_NOTIFY_H
#define YW_NOTIFY_H

#include "../../core/err.h"
#include <jansson.h>

struct db;
struct yw_actor;

struct ntf_msg {
	int64_t user_id;
	const char *kind;                  /* "sla_warning", "sla_breach", ... */
	int64_t ticket_id;                 /* 0: none */
	const char *subject_zh, *body_zh;  /* zh-CN first: the department's language */
	const char *subject_en, *body_en;
};

/* Adds a row to the outbox, inside the caller's transaction. */
int ntf_add(struct db *db, const struct ntf_msg *m, struct yw_err *err);

#define NTF_LIST_DEFAULT 50
#define NTF_LIST_MAX 200
/*
 * The caller's notifications, newest first, after cursor id before_id
 * (0: from the newest). {"items":[...], "next_cursor", "unread"}: items
 * are {id, kind, channel, ticket_id, ticket_number, subject, body,
 * subject_en, body_en, created_at, read_at}; *next gets the id to continue
 * before, 0 when this was the last page.
 */
int ntf_list_json(struct db *db, const struct yw_actor *a, bool unread_only, int64_t before_id, int64_t limit,
		  json_t **items, int64_t *next, int64_t *unread, struct yw_err *err);
int ntf_unread_count(struct db *db, const struct yw_actor *a, int64_t *out, struct yw_err *err);
/* Marks one of the caller's notifications read (reading twice is fine). */
int ntf_read(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err);
/* Marks all of the caller's notifications read; *n gets how many changed. */
int ntf_read_all(struct db *db, const struct yw_actor *a, int64_t *n, struct yw_err *err);

#endif
