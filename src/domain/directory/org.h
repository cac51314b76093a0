/*
 * org.h - customer organisations (客户单位) and their contacts.
 *
 * Staff read every organisation; a customer reads only its own, and any
 * other is YW_ENOTFOUND. Only an admin creates or changes one, and each
 * change is written to the audit log in the same transaction. The
 * contacts of an organisation are the customer users that belong to it.
 *
 * Input follows user.h's pattern: org_create_fields / org_patch_fields
 * are ordered by the ORG_F_* bits, so jx_decode()'s seen mask is `set`.
 */
#ifndef YW_ORG_H
#define YW_ORG_H

#include "../account/user.h"

enum {
	ORG_F_NAME = 1 << 0,
	ORG_F_CODE = 1 << 1,
	ORG_F_PHONE = 1 << 2,
	ORG_F_EMAIL = 1 << 3,
	ORG_F_ADDRESS = 1 << 4,
	ORG_F_NOTE = 1 << 5,
	ORG_F_ACTIVE = 1 << 6,
	ORG_F_GROUP = 1 << 7,
	ORG_F_IMPACT = 1 << 8,
};

struct org_input {
	const char *name;      /* 1..200, unique */
	const char *code;      /* NULL or 1..32 of [A-Za-z0-9_-], unique */
	const char *phone, *email, *address, *note;
	bool active;
	int64_t default_group_id;   /* where its new tickets without a category's group go; 0: the desk */
	int64_t default_impact;     /* the impact of its new tickets until graded; 0: the category's or 3 */
	uint64_t set;
};

extern const struct jx_field org_create_fields[];
extern const size_t org_create_nfields;
extern const struct jx_field org_patch_fields[];
extern const size_t org_patch_nfields;

/* code: 1..32 characters of [A-Za-z0-9_-]. */
int org_check_code(const char *code, struct yw_err *err);

int org_create(struct db *db, const struct yw_actor *a, const struct org_input *in, int64_t *id,
	       struct yw_err *err);
/* version 0 skips the If-Match check (the CLI). */
int org_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	       const struct org_input *in, struct yw_err *err);
/*
 * Record: id, name, code, phone, email, address, note, active,
 * created_at, updated_at, version.
 */
int org_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err);
/* q matches name or code; active -1 any, 0 or 1. Ordered by id. */
int org_list_json(struct db *db, const struct yw_actor *a, const char *q, int active,
		  struct user_page *page, json_t **items, struct yw_err *err);
/* The customer users of organisation id, as user records. */
int org_contacts_json(struct db *db, const struct yw_actor *a, int64_t id, struct user_page *page,
		      json_t **items, struct yw_err *err);
/* Finds an organisation by decimal id or exact name (the CLI's --org). */
int org_find(struct db *db, const char *id_or_name, int64_t *id, struct yw_err *err);

#endif
