/*
 * dir.h - the department's directory as each connection keeps it in
 * memory: the category tree, the support groups with their supervisors
 * and members, and the names of the groups and of the organisations
 * (which triggers of the organizations table keep current as well).
 * Reading a ticket asks these questions many
 * times (the category's path, whether the caller is in the ticket's
 * group or leads it, who approves its category), each once a statement.
 *
 * The copy is checked against its generation (cache_gen "directory",
 * which triggers change on every write to those tables, by any
 * process) once per read transaction, and on every call inside a write
 * transaction, which may itself have changed the tables:
 *
 *	const struct dir *d;
 *	if (dir_get(db, &d, err))
 *		return err->code;
 *	if (dir_in_group(d, user_id, group_id))
 *		...
 *
 * The pointer is valid until the next dir_get() on the same connection.
 */
#ifndef YW_DIR_H
#define YW_DIR_H

#include "../../core/err.h"

struct db;
struct strbuf;
struct dir;

int dir_get(struct db *db, const struct dir **out, struct yw_err *err);

bool dir_in_group(const struct dir *d, int64_t user_id, int64_t group_id);
bool dir_supervises(const struct dir *d, int64_t user_id, int64_t group_id);
/* The category's default group, 0 when it has none or does not exist. */
int64_t dir_cat_group(const struct dir *d, int64_t cat_id);
/* Appends "网络 / 交换机" for the category (nothing for 0 or an unknown id). */
void dir_cat_path(const struct dir *d, int64_t cat_id, struct strbuf *out);
/* A group's or an organisation's name, NULL for an unknown id; valid while d is. */
const char *dir_group_name(const struct dir *d, int64_t group_id);
const char *dir_org_name(const struct dir *d, int64_t org_id);

#endif
