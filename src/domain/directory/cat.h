/*
 * cat.h - the ticket category tree (服务目录分类).
 *
 * A category has a parent (NULL for a root), a name unique among its
 * siblings, and a path: the names from the root joined by " / ", computed
 * on read. default_group_id names the support group new tickets of the
 * category go to; requires_approval marks requests that need approval;
 * default_impact is the impact of a new ticket that states none (a
 * customer's never does) until the desk grades it.
 *
 * Staff read every category; customers read only active ones (an inactive
 * one is YW_ENOTFOUND to them). Only an admin creates or changes one; a
 * change that would put a category under itself or its own descendant is
 * refused. Changes are audited in their transaction.
 *
 * Input follows user.h's pattern: the tables are ordered by CAT_F_*.
 */
#ifndef YW_CAT_H
#define YW_CAT_H

#include "../account/user.h"

enum {
	CAT_F_NAME = 1 << 0,
	CAT_F_PARENT = 1 << 1,
	CAT_F_GROUP = 1 << 2,
	CAT_F_APPROVAL = 1 << 3,
	CAT_F_ACTIVE = 1 << 4,
	CAT_F_IMPACT = 1 << 5,
};

struct cat_input {
	const char *name;           /* 1..100 */
	int64_t parent_id;          /* 0: a root */
	int64_t default_group_id;   /* 0: none */
	bool requires_approval;
	bool active;
	int64_t default_impact;     /* 1..3 for the desk's grading of new tickets; 0: none */
	uint64_t set;
};

extern const struct jx_field cat_create_fields[];
extern const size_t cat_create_nfields;
extern const struct jx_field cat_patch_fields[];
extern const size_t cat_patch_nfields;

/* The deepest a category may sit: roots are depth 1. */
#define CAT_MAX_DEPTH 8

int cat_create(struct db *db, const struct yw_actor *a, const struct cat_input *in, int64_t *id,
	       struct yw_err *err);
int cat_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	       const struct cat_input *in, struct yw_err *err);
/*
 * Record: id, parent_id, name, path, default_group_id, requires_approval,
 * active, default_impact, created_at, updated_at, version.
 */
int cat_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err);
/* active -1 any, 0 or 1 (customers always get active ones). Ordered by id. */
int cat_list_json(struct db *db, const struct yw_actor *a, int active, struct user_page *page,
		  json_t **items, struct yw_err *err);

#endif
