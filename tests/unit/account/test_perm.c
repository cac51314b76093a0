/*
 * test_perm.c - the permission table (domain/account/perm.c) is whole and says
 * what the desk expects, and every route of the route tables names a row
 * of it that fits the route.
 */
#include "yw.h"
#include "http/http.h"
#include "domain/account/perm.h"
#include "core/err.h"
#include <setjmp.h>
#include <cmocka.h>

static const struct yw_actor customer = { 21, ROLE_CUSTOMER, 7, "hd_sun", "" };
static const struct yw_actor engineer = { 11, ROLE_ENGINEER, 0, "lina", "" };
static const struct yw_actor supervisor = { 12, ROLE_SUPERVISOR, 0, "chenjing", "" };
static const struct yw_actor manager = { 13, ROLE_MANAGER, 0, "zhaomin", "" };
static const struct yw_actor admin = { 1, ROLE_ADMIN, 0, "admin", "" };
static const struct yw_actor nobody = { 0, ROLE_NONE, 0, "", "" };

static void every_value_has_a_whole_row(void **state)
{
	(void)state;
	assert_null(perm_row(P_UNSET));
	assert_null(perm_row(P_COUNT));
	for (int p = P_UNSET + 1; p < P_COUNT; p++) {
		const struct perm_row *row = perm_row(p);
		bool public = perm_scope_of(ROLE_CUSTOMER, p) == PERM_PUBLIC;

		if (!row)
			fail_msg("enum perm %d has no row in perm.c", p);
		assert_non_null(row->action);
		if (!public && (!row->deny || !row->deny[0]))
			fail_msg("%s.%s has no message for a refusal", row->resource, row->action);
		assert_int_equal(row->scope[ROLE_NONE], public ? PERM_PUBLIC : PERM_NONE);
		for (int r = ROLE_CUSTOMER; r <= ROLE_ADMIN; r++)
			if (!public && row->scope[r] == PERM_PUBLIC)
				fail_msg("%s.%s is public for one role only", row->resource, row->action);
		/* a row on records has a read row deciding which of them are visible */
		if (row->kind != PK_NONE && perm_read_of(p) == P_UNSET)
			fail_msg("%s has no read row", row->resource);
		for (int q = P_UNSET + 1; q < p; q++)
			if (!strcmp(perm_row(q)->resource, row->resource) && !strcmp(perm_row(q)->action, row->action))
				fail_msg("%s.%s is in the table twice", row->resource, row->action);
	}
}

/* What a route's {id} names, by the start of its pattern. */
static const struct {
	const char *prefix;
	enum perm_kind kind;
} id_kinds[] = {
	{ "/api/v1/tickets/{id}", PK_TICKET },
	{ "/api/v1/attachments/{id}", PK_ATTACHMENT },
	{ "/api/v1/users/{id}", PK_USER },
	{ "/api/v1/organizations/{id}", PK_ORG },
	{ "/api/v1/groups/{id}", PK_GROUP },
	{ "/api/v1/tokens/{id}", PK_TOKEN },
	{ "/api/v1/notifications/{id}", PK_NOTIFICATION },
	{ "/api/v1/me/views/{id}", PK_VIEW },
};

static void every_route_names_a_fitting_row(void **state)
{
	size_t n = 0;

	(void)state;
	for (size_t t = 0; http_route_tables[t]; t++) {
		for (const struct http_route *rt = http_route_tables[t]; rt->method; rt++, n++) {
			const struct perm_row *row = perm_row(rt->perm);
			bool public;

			if (!row)
				fail_msg("%s %s names no permission", rt->method, rt->pattern);
			public = perm_scope_of(ROLE_CUSTOMER, rt->perm) == PERM_PUBLIC;
			if (public != !!(rt->flags & HR_PUBLIC))
				fail_msg("%s %s: HR_PUBLIC and its row %s.%s disagree", rt->method, rt->pattern,
					 row->resource, row->action);
			for (size_t k = 0; k < ARRAY_SIZE(id_kinds); k++) {
				if (strncmp(rt->pattern, id_kinds[k].prefix, strlen(id_kinds[k].prefix)))
					continue;
				if (row->kind != id_kinds[k].kind)
					fail_msg("%s %s: its {id} is checked as the wrong kind of record (%s.%s)",
						 rt->method, rt->pattern, row->resource, row->action);
			}
		}
	}
	assert_true(n > 50);
}

static void scopes_nest(void **state)
{
	struct perm_facts theirs = { .org_id = 8, .owner_id = 99, .assignee_id = 98 };
	struct perm_facts org = { .org_id = 7, .owner_id = 22 };
	struct perm_facts group = { .owner_id = 99, .mine_group = true };
	struct perm_facts assigned = { .owner_id = 99, .assignee_id = 11 };

	(void)state;
	assert_false(perm_covers(&engineer, PERM_NONE, &group));
	assert_false(perm_covers(&engineer, PERM_OWN, &group));
	assert_true(perm_covers(&engineer, PERM_OWN, &assigned));
	assert_true(perm_covers(&engineer, PERM_GROUP, &group));
	assert_true(perm_covers(&engineer, PERM_GROUP, &assigned));
	assert_false(perm_covers(&engineer, PERM_GROUP, &theirs));
	assert_true(perm_covers(&engineer, PERM_ANY, &theirs));
	/* staff belong to no organisation: "own organisation" is not every ticket without one */
	assert_false(perm_covers(&engineer, PERM_ORG, &(struct perm_facts){ 0 }));
	assert_true(perm_covers(&customer, PERM_ORG, &org));
	assert_false(perm_covers(&customer, PERM_ORG, &theirs));
	assert_false(perm_covers(&customer, PERM_OWN, &org));
	assert_true(perm_covers(&customer, PERM_OWN, &(struct perm_facts){ .org_id = 8, .owner_id = 21 }));
	assert_false(perm_covers(&nobody, PERM_OWN, &(struct perm_facts){ 0 }));
}

/* The two holes of issue 12: on-site arrival and closing, by another group's engineer. */
static void workers_only_record_onsite_and_move(void **state)
{
	struct perm_facts other = { .org_id = 7, .owner_id = 21 };
	struct perm_facts mine = { .org_id = 7, .owner_id = 21, .mine_group = true };
	struct perm_facts assigned = { .org_id = 7, .owner_id = 21, .assignee_id = 11 };
	const enum perm acts[] = { P_TICKET_ONSITE, P_TICKET_TRANSITION, P_TICKET_UPDATE, P_TICKET_WORKLOG };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
		assert_false(perm_allows(&engineer, acts[i], &other));
		assert_true(perm_allows(&engineer, acts[i], &mine));
		assert_true(perm_allows(&engineer, acts[i], &assigned));
		assert_false(perm_allows(&supervisor, acts[i], &other));
		assert_true(perm_allows(&supervisor, acts[i], &mine));
		assert_true(perm_allows(&manager, acts[i], &other));
		assert_true(perm_allows(&admin, acts[i], &other));
	}
	assert_false(perm_allows(&customer, P_TICKET_ONSITE, &other));
	assert_false(perm_allows(&customer, P_TICKET_UPDATE, &other));
	/* a customer cancels, confirms or reopens its organisation's tickets (the life cycle says which) */
	assert_true(perm_allows(&customer, P_TICKET_TRANSITION, &other));
	assert_false(perm_allows(&customer, P_TICKET_TRANSITION, &(struct perm_facts){ .org_id = 8 }));
	/* internal notes and attachments are staff's */
	assert_false(perm_allows(&customer, P_TICKET_INTERNAL, NULL));
	assert_true(perm_allows(&engineer, P_TICKET_INTERNAL, NULL));
	/* staff read and comment on every ticket */
	assert_true(perm_allows(&engineer, P_TICKET_READ, &other));
	assert_true(perm_allows(&engineer, P_TICKET_COMMENT, &other));
}

static void configuration_is_the_admins(void **state)
{
	const enum perm admin_only[] = { P_USER_CREATE, P_USER_UPDATE, P_GROUP_CREATE, P_GROUP_UPDATE,
		P_ORG_CREATE, P_ORG_UPDATE, P_CATEGORY_CREATE, P_CATEGORY_UPDATE, P_CALENDAR_CREATE,
		P_CALENDAR_UPDATE, P_SLA_POLICY_CREATE, P_SLA_POLICY_UPDATE, P_SLA_POLICY_DELETE,
		P_PRIORITY_MATRIX_UPDATE };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(admin_only); i++) {
		assert_true(perm_allows(&admin, admin_only[i], NULL));
		assert_false(perm_allows(&manager, admin_only[i], NULL));
		assert_false(perm_allows(&customer, admin_only[i], NULL));
	}
	assert_true(perm_allows(&manager, P_AUDIT_READ, NULL));
	assert_false(perm_allows(&supervisor, P_AUDIT_READ, NULL));
	assert_true(perm_allows(&supervisor, P_SLA_REPORT_READ, NULL));
	assert_false(perm_allows(&engineer, P_SLA_REPORT_READ, NULL));
	assert_false(perm_allows(&customer, P_GROUP_READ, NULL));
	assert_false(perm_allows(&nobody, P_TICKET_READ, NULL));
	assert_true(perm_allows(&nobody, P_HEALTH_READ, NULL));
	/* tokens: one's own, an admin's anyone's */
	assert_true(perm_allows(&engineer, P_TOKEN_CREATE, &(struct perm_facts){ .owner_id = 11 }));
	assert_false(perm_allows(&engineer, P_TOKEN_CREATE, &(struct perm_facts){ .owner_id = 12 }));
	assert_true(perm_allows(&admin, P_TOKEN_DELETE, &(struct perm_facts){ .owner_id = 12 }));
}

static void refusals_name_the_action(void **state)
{
	struct yw_err err = YW_ERR_INIT;

	(void)state;
	assert_int_equal(perm_check(&engineer, P_USER_CREATE, NULL, &err), YW_EPERM);
	assert_string_equal(err.msg, "only an admin may create users");
	yw_err_clear(&err);
	assert_int_equal(perm_check(&engineer, P_TICKET_ONSITE, &(struct perm_facts){ .org_id = 7 }, &err),
			 YW_EPERM);
	assert_non_null(strstr(err.msg, "arrival on site"));
	yw_err_clear(&err);
	/* a route that names no row is refused, never let through */
	assert_int_equal(perm_request(NULL, &admin, P_UNSET, 0, &err), YW_EINTERNAL);
	yw_err_clear(&err);
	assert_int_equal(perm_request(NULL, &admin, P_COUNT, 0, &err), YW_EINTERNAL);
	yw_err_clear(&err);
	/* a role-wide refusal needs no record: no database is touched */
	assert_int_equal(perm_request(NULL, &engineer, P_USER_UPDATE, 5, &err), YW_EPERM);
	yw_err_clear(&err);
	assert_int_equal(perm_request(NULL, &customer, P_USER_CREATE, 0, &err), YW_EPERM);
	yw_err_clear(&err);
	assert_int_equal(perm_request(NULL, &manager, P_TICKET_ONSITE, 5, &err), 0);
}

/* The rows' refusals and the missing records' texts are formats of yw_errf: each has its zh-CN. */
static void refusals_have_their_chinese(void **state)
{
	(void)state;
	for (int p = P_UNSET + 1; p < P_COUNT; p++) {
		const struct perm_row *row = perm_row((enum perm)p);
		if (row->deny[0] && !yw_msg_zh(row->deny))
			fail_msg("%s.%s: no zh-CN for \"%s\" in src/core/msg_zh.c", row->resource, row->action, row->deny);
	}
	for (int k = PK_NONE; k <= PK_VIEW; k++)
		if (!yw_msg_zh(perm_missing((enum perm_kind)k)))
			fail_msg("no zh-CN for \"%s\" in src/core/msg_zh.c", perm_missing((enum perm_kind)k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_value_has_a_whole_row),
		cmocka_unit_test(every_route_names_a_fitting_row),
		cmocka_unit_test(scopes_nest),
		cmocka_unit_test(workers_only_record_onsite_and_move),
		cmocka_unit_test(configuration_is_the_admins),
		cmocka_unit_test(refusals_name_the_action),
		cmocka_unit_test(refusals_have_their_chinese),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
