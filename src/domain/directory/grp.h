/*
 * grp.h - support groups (处理组): a name, a supervisor and the staff who
 * work the group's tickets.
 *
 * Staff read every group; customers may not (YW_EPERM). Only an admin
 * creates or changes one; each change is audited in its transaction.
 * The supervisor must be a user whose role is supervisor, manager or
 * admin; members must be staff (not customers).
 *
 * One group may be the service desk ("desk": true): a new ticket whose
 * category and organisation name no group lands there. Marking another
 * group the desk unmarks the previous one in the same change.
 *
 * Input follows user.h's pattern: the tables are ordered by GRP_F_*.
 */
#ifndef YW_GRP_H
#define YW_GRP_H

#include "../account/user.h"

enum {
	GRP_F_NAME = 1 << 0,
	GRP_F_DESCRIPTION = 1 << 1,
	GRP_F_SUPERVISOR = 1 << 2,
	GRP_F_MEMBERS = 1 << 3,
	GRP_F_DESK = 1 << 4,
};

struct grp_input {
	const char *name;          /* 1..100, unique */
	const char *description;   /* NULL: none */
	int64_t supervisor_id;     /* 0: none */
	struct jx_ids member_ids;  /* owned: free with jx_ids_free */
	bool desk;                 /* the service desk: where tickets no other group takes land */
	uint64_t set;
};

extern const struct jx_field grp_create_fields[];
extern const size_t grp_create_nfields;
extern const struct jx_field grp_patch_fields[];
extern const size_t grp_patch_nfields;

int grp_create(struct db *db, const struct yw_actor *a, const struct grp_input *in, int64_t *id,
	       struct yw_err *err);
int grp_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	       const struct grp_input *in, struct yw_err *err);
/* Record: id, name, description, supervisor_id, member_ids, desk, created_at, updated_at, version. */
int grp_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err);
/* q matches the name. Ordered by id. */
int grp_list_json(struct db *db, const struct yw_actor *a, const char *q, struct user_page *page,
		  json_t **items, struct yw_err *err);
/* Finds a group by decimal id or exact name (the CLI's --group). */
int grp_find(struct db *db, const char *id_or_name, int64_t *id, struct yw_err *err);

#endif
