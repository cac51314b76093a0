/*
 * test_tk_life.c - the ticket life-cycle table and ticket validation.
 * The expected table is written out again here, independently, so that a
 * change to tk_rules[] must be made on purpose in both places.
 */
#include "yw.h"
#include <setjmp.h>
#include <cmocka.h>
#include "store/db.h"
#include "domain/account/acct.h"
#include "domain/ticket/tk_int.h"

static const struct {
	const char *from, *to;
	unsigned who;
	unsigned needs;
} expected[] = {
	{ "new", "assigned", R_MGR | R_SUP | R_MEMBER, N_ASSIGNEE },
	{ "new", "cancelled", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER | R_CUSTOMER, 0 },
	{ "pending_approval", "approved", R_MGR | R_APPROVER, 0 },
	{ "pending_approval", "rejected", R_MGR | R_APPROVER, N_NOTE },
	{ "pending_approval", "cancelled", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER | R_CUSTOMER, 0 },
	{ "approved", "assigned", R_MGR | R_SUP | R_MEMBER, N_ASSIGNEE },
	{ "approved", "cancelled", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER, 0 },
	{ "assigned", "in_progress", R_MGR | R_SUP | R_ASSIGNEE, 0 },
	{ "assigned", "cancelled", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER, 0 },
	{ "in_progress", "pending", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER, N_NOTE },
	{ "in_progress", "resolved", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER, N_RESOLUTION },
	{ "in_progress", "cancelled", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER, 0 },
	{ "pending", "in_progress", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER, 0 },
	{ "pending", "cancelled", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER, 0 },
	{ "resolved", "closed", W_WORK | R_CUSTOMER, 0 },
	{ "resolved", "reopened", W_WORK | R_CUSTOMER, N_NOTE },
	{ "reopened", "assigned", R_MGR | R_SUP | R_MEMBER, N_ASSIGNEE },
	{ "reopened", "in_progress", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER, N_HAS_ASSIGNEE },
	{ "reopened", "cancelled", R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER, 0 },
};

static const unsigned all_rels[] = { R_STAFF, R_MGR, R_SUP, R_MEMBER, R_ASSIGNEE, R_APPROVER, R_CUSTOMER };

static void every_allowed_pair(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
		int from = tk_status_parse(expected[i].from), to = tk_status_parse(expected[i].to);
		const struct tk_rule *r;
		assert_true(from >= 0 && to >= 0);
		r = tk_rule_find(from, to);
		assert_non_null(r);
		assert_int_equal(r->who, expected[i].who);
		assert_int_equal(r->needs, expected[i].needs);
		/* each relation may take it exactly when it is listed */
		for (size_t k = 0; k < ARRAY_SIZE(all_rels); k++)
			assert_int_equal(tk_rule_allows(r, all_rels[k], true), (expected[i].who & all_rels[k]) != 0);
	}
	/* and nothing else is in the table but the creation-only step */
	assert_int_equal(tk_nrules, ARRAY_SIZE(expected) + 1);
}

static void creation_only_step(void **state)
{
	const struct tk_rule *r = tk_rule_find(TS_NEW, TS_PENDING_APPROVAL);
	(void)state;
	assert_non_null(r);
	assert_true(r->needs & N_CREATION);
	assert_false(tk_rule_allows(r, ~0u, true));
}

/* issue 12: an engineer of another group (staff, not of the ticket) closed resolved tickets */
static void closing_is_the_workers_or_the_customers(void **state)
{
	const struct tk_rule *close = tk_rule_find(TS_RESOLVED, TS_CLOSED);
	const struct tk_rule *reopen = tk_rule_find(TS_RESOLVED, TS_REOPENED);
	(void)state;
	assert_false(tk_rule_allows(close, R_STAFF, true));
	assert_false(tk_rule_allows(reopen, R_STAFF, true));
	assert_true(tk_rule_allows(close, R_STAFF | R_MEMBER, true));
	assert_true(tk_rule_allows(close, R_CUSTOMER, true));
	assert_true(tk_rule_allows(reopen, R_STAFF | R_ASSIGNEE, true));
}

static void disallowed_pairs(void **state)
{
	static const char *const bad[][2] = {
		{ "new", "resolved" }, { "new", "closed" }, { "new", "in_progress" }, { "new", "approved" },
		{ "pending_approval", "assigned" }, { "pending_approval", "in_progress" },
		{ "approved", "rejected" }, { "rejected", "approved" }, { "rejected", "cancelled" },
		{ "assigned", "resolved" }, { "assigned", "closed" }, { "in_progress", "closed" },
		{ "pending", "resolved" }, { "resolved", "in_progress" }, { "resolved", "cancelled" },
		{ "closed", "reopened" }, { "closed", "in_progress" }, { "cancelled", "new" },
		{ "cancelled", "reopened" }, { "reopened", "resolved" }, { "in_progress", "in_progress" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_null(tk_rule_find(tk_status_parse(bad[i][0]), tk_status_parse(bad[i][1])));
}

static void reopened_work_needs_an_assignee(void **state)
{
	const struct tk_rule *r = tk_rule_find(TS_REOPENED, TS_IN_PROGRESS);
	(void)state;
	assert_false(tk_rule_allows(r, R_MGR, false));
	assert_true(tk_rule_allows(r, R_MGR, true));
}

static void final_states_and_names(void **state)
{
	(void)state;
	for (int s = 0; s < TS_COUNT; s++) {
		assert_int_equal(tk_status_parse(tk_states[s].name), s);
		bool has_exit = false;
		for (size_t i = 0; i < tk_nrules; i++)
			has_exit = has_exit || tk_rules[i].from == (enum tk_status)s;
		assert_int_equal(tk_states[s].final, !has_exit);
	}
	assert_int_equal(tk_status_parse("bogus"), -1);
	assert_int_equal(tk_status_parse(NULL), -1);
	assert_string_equal(tk_type_find("incident")->prefix, "INC");
	assert_string_equal(tk_type_find("request")->prefix, "REQ");
	assert_true(tk_type_find("incident")->fault_level);
	assert_false(tk_type_find("request")->fault_level);
	assert_null(tk_type_find("problem"));
}

/* tk_create's validation on a real (in-memory) database */
static struct db *db;
static struct yw_actor eng, cust;

static int setup_db(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	(void)state;
	if (db_open(&db, ":memory:", &err) || db_migrate(db, NULL, &err))
		return -1;
	if (db_exec(db, "INSERT INTO organizations(id, name, created_at, updated_at) VALUES (1, 'o', 0, 0), (2, 'p', 0, 0);"
		    "INSERT INTO users(id, login, display_name, role, org_id, created_at, updated_at) VALUES"
		    " (1, 'e', 'E', 'engineer', NULL, 0, 0), (2, 'c', 'C', 'customer', 1, 0, 0),"
		    " (3, 'd', 'D', 'customer', 2, 0, 0);"
		    "INSERT INTO groups(id, name, created_at, updated_at) VALUES (1, 'g', 0, 0);"
		    "INSERT INTO categories(id, name, default_group_id, requires_approval, created_at, updated_at)"
		    " VALUES (1, 'c', 1, 1, 0, 0);"
		    "INSERT INTO categories(id, name, active, created_at, updated_at) VALUES (2, 'old', 0, 0, 0);", &err))
		return -1;
	eng = (struct yw_actor){ 1, ROLE_ENGINEER, 0, "e", "" };
	cust = (struct yw_actor){ 2, ROLE_CUSTOMER, 1, "c", "" };
	return 0;
}

static int teardown_db(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static void create_validation(void **state)
{
	static char long_title[300];
	struct yw_err err = YW_ERR_INIT;
	int64_t id, n;
	const struct {
		const struct yw_actor *who;
		struct tk_new in;
		int rc;
		const char *field;
	} cases[] = {
		{ &eng, { .title = "t" }, YW_EINVAL, "type" },
		{ &eng, { .type = "problem", .title = "t" }, YW_EINVAL, "type" },
		{ &eng, { .type = "incident" }, YW_EINVAL, "title" },
		{ &eng, { .type = "incident", .title = "" }, YW_EINVAL, "title" },
		{ &eng, { .type = "incident", .title = "   " }, YW_EINVAL, "title" },
		{ &eng, { .type = "incident", .title = long_title }, YW_EINVAL, "title" },
		{ &eng, { .type = "incident", .title = "a\x01" }, YW_EINVAL, "title" },
		{ &eng, { .type = "incident", .title = "\xff\xfe" }, YW_EINVAL, "title" },
		{ &eng, { .type = "incident", .title = "t", .channel = "fax" }, YW_EINVAL, "channel" },
		{ &eng, { .type = "incident", .title = "t", .impact = 4 }, YW_EINVAL, "impact" },
		{ &eng, { .type = "incident", .title = "t", .urgency = -1 }, YW_EINVAL, "urgency" },
		{ &eng, { .type = "request", .title = "t", .fault_level = 1 }, YW_EINVAL, "fault_level" },
		{ &eng, { .type = "incident", .title = "t", .fault_level = 4 }, YW_EINVAL, "fault_level" },
		{ &eng, { .type = "incident", .title = "t", .category_id = 2 }, YW_EINVAL, "category_id" },
		{ &eng, { .type = "incident", .title = "t", .category_id = 99 }, YW_EINVAL, "category_id" },
		{ &eng, { .type = "incident", .title = "t", .requester_id = 99 }, YW_EINVAL, "requester_id" },
		{ &eng, { .type = "incident", .title = "t", .requester_id = 2, .organization_id = 2 }, YW_EINVAL, "organization_id" },
		{ &eng, { .type = "incident", .title = "t", .organization_id = 9 }, YW_EINVAL, "organization_id" },
		{ &eng, { .type = "incident", .title = "t", .group_id = 9 }, YW_EINVAL, "group_id" },
		{ &eng, { .type = "incident", .title = "t", .assignee_id = 2 }, YW_EINVAL, "assignee_id" },
		{ &eng, { .type = "request", .title = "t", .category_id = 1, .assignee_id = 1 }, YW_EINVAL, "assignee_id" },
		{ &cust, { .type = "incident", .title = "t", .requester_id = 3 }, YW_EPERM, "requester_id" },
		{ &cust, { .type = "incident", .title = "t", .organization_id = 2 }, YW_EPERM, "organization_id" },
		{ &cust, { .type = "incident", .title = "t", .group_id = 1 }, YW_EPERM, "group_id" },
		{ &cust, { .type = "incident", .title = "t", .fault_level = 1 }, YW_EPERM, "fault_level" },
	};
	(void)state;
	memset(long_title, 'x', 201);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		yw_err_clear(&err);
		assert_int_equal(tk_create(db, cases[i].who, &cases[i].in, &id, &err), cases[i].rc);
		assert_string_equal(err.field, cases[i].field);
	}
	/* a rejected create wrote nothing, not even a number */
	assert_int_equal(db_queryint(db, &n, &err, "SELECT (SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM counters)", ""), 0);
	assert_int_equal(n, 0);

	/* and good ones: defaults applied */
	struct tk_new ok = { .type = "request", .title = "账号", .category_id = 1 };
	assert_int_equal(tk_create(db, &cust, &ok, &id, &err), 0);
	struct tk_row t;
	assert_int_equal(tk_load(db, &cust, id, &t, &err), 0);
	assert_int_equal(t.status, TS_PENDING_APPROVAL);
	assert_int_equal(t.group_id, 1);
	assert_int_equal(t.org_id, 1);
	assert_int_equal(t.priority, 4);
	assert_int_equal(t.fault_level, 0);
	assert_string_equal(t.channel, "portal");
	assert_string_equal(t.number, "REQ000001");
	tk_row_release(&t);
	/* the other organisation's customer cannot load it */
	struct yw_actor other = { 3, ROLE_CUSTOMER, 2, "d", "" };
	assert_int_equal(tk_load(db, &other, id, &t, &err), YW_ENOTFOUND);
	struct tk_new inc = { .type = "incident", .title = "宕机", .impact = 1, .urgency = 1 };
	assert_int_equal(tk_create(db, &eng, &inc, &id, &err), 0);
	assert_int_equal(tk_load(db, &eng, id, &t, &err), 0);
	assert_int_equal(t.priority, 1);
	assert_int_equal(t.fault_level, 1);
	assert_string_equal(t.number, "INC000001");
	tk_row_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_allowed_pair),
		cmocka_unit_test(creation_only_step),
		cmocka_unit_test(closing_is_the_workers_or_the_customers),
		cmocka_unit_test(disallowed_pairs),
		cmocka_unit_test(reopened_work_needs_an_assignee),
		cmocka_unit_test(final_states_and_names),
		cmocka_unit_test_setup_teardown(create_validation, setup_db, teardown_db),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
