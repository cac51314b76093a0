/*
 * dir.c - the per-connection copy of the category tree, the groups and
 * the names of the groups and organisations.
 */
#include "../../core/yw.h"
#include "../../core/strbuf.h"
#include "../../store/db.h"
#include "dir.h"

struct dir_cat {
	int64_t id, parent, group;
	char *name;
};

/* A membership (group, user). */
struct dir_pair {
	int64_t a, b;
};

/* A support group, its supervisor and its name. */
struct dir_grp {
	int64_t id, supervisor;
	char *name;
};

/* An organisation's name. */
struct dir_org {
	int64_t id;
	char *name;
};

struct dir {
	int64_t gen;
	uint64_t serial;           /* the read transaction it was last checked in */
	struct dir_cat *cat;       /* each array sorted by id (members by group, user) */
	size_t ncat;
	struct dir_grp *grp;
	size_t ngrp;
	struct dir_pair *mem;      /* group id, user id */
	size_t nmem;
	struct dir_org *org;
	size_t norg;
};

static void dir_free(void *v)
{
	struct dir *d = v;

	for (size_t i = 0; i < d->ncat; i++)
		free(d->cat[i].name);
	free(d->cat);
	for (size_t i = 0; i < d->ngrp; i++)
		free(d->grp[i].name);
	free(d->grp);
	free(d->mem);
	for (size_t i = 0; i < d->norg; i++)
		free(d->org[i].name);
	free(d->org);
	free(d);
}

/* Runs sql and hands each row to add, which appends it to one of d's arrays. */
static int load_rows(struct db *db, const char *sql, struct dir *d,
		     void (*add)(struct dir *d, struct db_stmt *st, size_t *alloc), struct yw_err *err)
{
	struct db_stmt *st;
	size_t alloc = 0;
	int rc;

	if ((rc = db_prepare(db, sql, &st, err)))
		return rc;
	while ((rc = db_step(st, err)) == DB_ROW)
		add(d, st, &alloc);
	db_done(st);
	return rc < 0 ? rc : 0;
}

static void add_cat(struct dir *d, struct db_stmt *st, size_t *alloc)
{
	ALLOC_GROW(d->cat, d->ncat + 1, *alloc);
	d->cat[d->ncat++] = (struct dir_cat){ db_col_int(st, 0), db_col_int(st, 1), db_col_int(st, 2),
					      yw_strdup(db_col_text(st, 3)) };
}

static void add_group(struct dir *d, struct db_stmt *st, size_t *alloc)
{
	ALLOC_GROW(d->grp, d->ngrp + 1, *alloc);
	d->grp[d->ngrp++] = (struct dir_grp){ db_col_int(st, 0), db_col_int(st, 1),
					      yw_strdup(db_col_text(st, 2)) };
}

static void add_member(struct dir *d, struct db_stmt *st, size_t *alloc)
{
	ALLOC_GROW(d->mem, d->nmem + 1, *alloc);
	d->mem[d->nmem++] = (struct dir_pair){ db_col_int(st, 0), db_col_int(st, 1) };
}

static void add_org(struct dir *d, struct db_stmt *st, size_t *alloc)
{
	ALLOC_GROW(d->org, d->norg + 1, *alloc);
	d->org[d->norg++] = (struct dir_org){ db_col_int(st, 0), yw_strdup(db_col_text(st, 1)) };
}

static int load(struct db *db, struct dir *d, struct yw_err *err)
{
	int rc;

	if ((rc = load_rows(db, "SELECT id, COALESCE(parent_id, 0), COALESCE(default_group_id, 0), name"
			    " FROM categories ORDER BY id", d, add_cat, err)) ||
	    (rc = load_rows(db, "SELECT id, COALESCE(supervisor_id, 0), name FROM groups ORDER BY id", d,
			    add_group, err)) ||
	    (rc = load_rows(db, "SELECT group_id, user_id FROM group_members ORDER BY group_id, user_id", d,
			    add_member, err)))
		return rc;
	return load_rows(db, "SELECT id, name FROM organizations ORDER BY id", d, add_org, err);
}

int dir_get(struct db *db, const struct dir **out, struct yw_err *err)
{
	struct dir *d = db_cache_get(db, DB_CACHE_DIRECTORY);
	uint64_t serial = db_read_serial(db);
	int64_t gen;
	int rc;

	if (d && serial && d->serial == serial) {
		*out = d;
		return 0;
	}
	gen = db_cache_gen(db, "directory");
	if (!d || !gen || d->gen != gen) {
		d = yw_calloc(1, sizeof(*d));
		if ((rc = load(db, d, err))) {
			dir_free(d);
			return rc;
		}
		d->gen = gen;
		db_cache_set(db, DB_CACHE_DIRECTORY, d, dir_free);
	}
	d->serial = serial;
	*out = d;
	return 0;
}

/* For bsearch: both element types start with the int64 they are sorted by. */
static int cmp_first(const void *key, const void *elem)
{
	int64_t k = *(const int64_t *)key, e = *(const int64_t *)elem;
	return k < e ? -1 : k > e;
}

static int cmp_pair(const void *key, const void *elem)
{
	const struct dir_pair *k = key, *e = elem;
	return k->a != e->a ? (k->a < e->a ? -1 : 1) : k->b < e->b ? -1 : k->b > e->b;
}

static const struct dir_cat *cat_find(const struct dir *d, int64_t id)
{
	return d->ncat ? bsearch(&id, d->cat, d->ncat, sizeof(*d->cat), cmp_first) : NULL;
}

bool dir_in_group(const struct dir *d, int64_t user_id, int64_t group_id)
{
	struct dir_pair key = { group_id, user_id };
	return d->nmem && bsearch(&key, d->mem, d->nmem, sizeof(*d->mem), cmp_pair);
}

static const struct dir_grp *grp_find(const struct dir *d, int64_t id)
{
	return d->ngrp ? bsearch(&id, d->grp, d->ngrp, sizeof(*d->grp), cmp_first) : NULL;
}

bool dir_supervises(const struct dir *d, int64_t user_id, int64_t group_id)
{
	const struct dir_grp *g = user_id ? grp_find(d, group_id) : NULL;

	return g && g->supervisor == user_id;
}

int64_t dir_cat_group(const struct dir *d, int64_t cat_id)
{
	const struct dir_cat *c = cat_find(d, cat_id);
	return c ? c->group : 0;
}

void dir_cat_path(const struct dir *d, int64_t cat_id, struct strbuf *out)
{
	const struct dir_cat *parts[8];
	const struct dir_cat *c;
	int n = 0;

	/* the depth cap guards against a cycle made by hand in the database */
	while (cat_id && n < 8 && (c = cat_find(d, cat_id))) {
		parts[n++] = c;
		cat_id = c->parent;
	}
	while (n-- > 0) {
		strbuf_addstr(out, parts[n]->name);
		if (n)
			strbuf_addstr(out, " / ");
	}
}

const char *dir_group_name(const struct dir *d, int64_t group_id)
{
	const struct dir_grp *g = grp_find(d, group_id);

	return g ? g->name : NULL;
}

const char *dir_org_name(const struct dir *d, int64_t org_id)
{
	const struct dir_org *o = d->norg ? bsearch(&org_id, d->org, d->norg, sizeof(*d->org), cmp_first) : NULL;

	return o ? o->name : NULL;
}
