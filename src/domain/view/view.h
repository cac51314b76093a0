/*
 * view.h - saved ticket-list views: a user's named filters for the ticket
 * list, kept on the server so that they follow the user from one browser
 * or phone to another.
 *
 * A view is personal: every call works on the caller's own views only,
 * and another user's view is YW_ENOTFOUND, exactly like one that does
 * not exist (its id tells nothing). Every role may keep views, customers
 * included: a view's query is validated as the caller's own ticket list
 * (tk_list_check), so a customer cannot save a staff-only filter such as
 * fault_level, and whatever a view says, the list still shows a customer
 * only its organisation's tickets.
 *
 * Not audited: views are preferences, like the language switch, not
 * records of the desk; the audit log is for what changes what others see
 * or may do. Each mutation is still one transaction and a rejected one
 * changes nothing.
 *
 * query is the ticket list's query string without '?' (one leading '?' is
 * dropped), e.g. "status=new,assigned&priority=P1&q=%E7%A3%81%E7%9B%98":
 * at most VIEW_QUERY_MAX bytes, every parameter one that GET /tickets
 * takes (tk_query_params) with a value it accepts, none given twice, and
 * no cursor (a cursor is a place in one listing, not a filter). An error
 * in it names the field "query" and, in err->detail, {"parameter": name}.
 *
 * Functions return 0 or a negative YW_E* with err naming the field; JSON
 * out parameters hand their reference to the caller.
 */
#ifndef YW_VIEW_H
#define YW_VIEW_H

#include "../../core/err.h"
#include "../../core/jx.h"

struct db;
struct yw_actor;

#define VIEW_NAME_MAX 60          /* characters; unique per user */
#define VIEW_QUERY_MAX 2000       /* bytes */
#define VIEW_MAX 50               /* views per user */
#define VIEW_POSITION_MAX 100000

/* The order of the field tables' rows. */
enum {
	VIEW_F_NAME = 1 << 0,
	VIEW_F_QUERY = 1 << 1,
	VIEW_F_POSITION = 1 << 2,
};

struct view_input {
	const char *name;     /* 1..VIEW_NAME_MAX characters */
	const char *query;    /* see above; "" is the unfiltered list */
	int64_t position;     /* 0..VIEW_POSITION_MAX; on create default: after the last */
	uint64_t set;         /* VIEW_F_* present */
};

/* Create (name and query required) and PATCH bodies, for jx_decode. */
extern const struct jx_field view_create_fields[];
extern const size_t view_create_nfields;
extern const struct jx_field view_patch_fields[];
extern const size_t view_patch_nfields;

/*
 * The caller's views in position order (then id):
 * {"items":[{id, name, query, position, created_at, updated_at, version}],
 *  "next_cursor":null} — at most VIEW_MAX, so always one page.
 */
int view_list_json(struct db *db, const struct yw_actor *a, json_t **out, struct yw_err *err);
int view_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err);

/*
 * Creates a view. YW_ECONFLICT on "name" when the caller has a view of
 * that name, and with no field when the caller already has VIEW_MAX.
 */
int view_create(struct db *db, const struct yw_actor *a, const struct view_input *in, int64_t *id,
		struct yw_err *err);
/* Changes the fields in in->set of the view at version (YW_ESTALE when it moved on). */
int view_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
		const struct view_input *in, struct yw_err *err);
int view_delete(struct db *db, const struct yw_actor *a, int64_t id, struct yw_err *err);

#endif
