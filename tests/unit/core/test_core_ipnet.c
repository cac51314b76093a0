/* test_core_ipnet.c - addresses, trusted-proxy lists and X-Forwarded-For (core/ipnet.c). */
#include "yw.h"
#include "ipnet.h"
#include <setjmp.h>
#include <cmocka.h>

static const char *text_of(const char *s)
{
	static char out[IPNET_TEXT];
	struct ipnet_addr a;

	if (ipnet_parse(s, strlen(s), &a))
		return "(bad)";
	ipnet_text(&a, out);
	return out;
}

static void test_parse(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "10.0.0.1", "10.0.0.1" },
		{ "255.255.255.255", "255.255.255.255" },
		{ "2001:DB8::1", "2001:db8::1" },
		{ "::ffff:192.0.2.7", "192.0.2.7" },   /* a mapped address is its IPv4 one */
		{ "::1", "::1" },
		{ "", "(bad)" },
		{ "10.0.0", "(bad)" },
		{ "010.0.0.1", "(bad)" },
		{ "10.0.0.256", "(bad)" },
		{ "10.0.0.1:8080", "(bad)" },
		{ "[2001:db8::1]", "(bad)" },
		{ "fe80::1%eth0", "(bad)" },
		{ "unknown", "(bad)" },
		{ "1.2.3.4 ", "(bad)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_string_equal(text_of(cases[i].in), cases[i].want);
	(void)state;
}

static bool listed(const struct ipnet_list *l, const char *s)
{
	struct ipnet_addr a;

	assert_int_equal(ipnet_parse(s, strlen(s), &a), 0);
	return ipnet_list_has(l, &a);
}

static void test_list(void **state)
{
	struct ipnet_list l = { 0 };
	struct yw_err err = YW_ERR_INIT;

	assert_int_equal(ipnet_list_add(&l, "10.1.0.0/16, 192.0.2.9 ,2001:db8:aa::/48", "--trusted-proxy", &err), 0);
	assert_int_equal(l.n, 3);
	assert_true(listed(&l, "10.1.255.3"));
	assert_false(listed(&l, "10.2.0.1"));
	assert_true(listed(&l, "192.0.2.9"));
	assert_false(listed(&l, "192.0.2.10"));
	assert_true(listed(&l, "::ffff:10.1.2.3"));
	assert_true(listed(&l, "2001:db8:aa:ffff::1"));
	assert_false(listed(&l, "2001:db8:ab::1"));
	/* host bits are cleared: 10.9.9.9/8 is 10.0.0.0/8 */
	assert_int_equal(ipnet_list_add(&l, "10.9.9.9/8", "--trusted-proxy", &err), 0);
	assert_true(listed(&l, "10.200.0.1"));

	static const char *const bad[] = { "", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/8x", "::/129",
					   "10.0.0.0/-1", "10.0.0.0/8,", "a.b.c.d", "10.0.0.0/8/8" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		size_t n = l.n;
		assert_int_equal(ipnet_list_add(&l, bad[i], "--trusted-proxy", &err), YW_EINVAL);
		assert_string_equal(err.field, "--trusted-proxy");
		assert_int_equal(l.n, n);   /* a refused list changes nothing */
		yw_err_clear(&err);
	}
	(void)state;
}

static void test_forwarded(void **state)
{
	static const struct { const char *xff, *want; } cases[] = {
		{ "203.0.113.5", "203.0.113.5" },
		/* the right-most address that is not a trusted proxy: the left one may be forged */
		{ "198.51.100.1, 203.0.113.5", "203.0.113.5" },
		{ "198.51.100.1, 203.0.113.5, 10.0.0.2", "203.0.113.5" },
		{ "198.51.100.1,203.0.113.5,10.0.0.2,10.0.0.3", "203.0.113.5" },
		{ "2001:db8::7, 10.0.0.2", "2001:db8::7" },
		/* all trusted: the left-most */
		{ "10.0.0.9, 10.0.0.2", "10.0.0.9" },
		/* malformed anywhere: the whole header is ignored */
		{ "", "(none)" },
		{ " ", "(none)" },
		{ "203.0.113.5,", "(none)" },
		{ "unknown, 203.0.113.5", "(none)" },
		{ "203.0.113.5:4711", "(none)" },
		{ "evil, 10.0.0.2", "(none)" },
		{ "203.0.113.5 10.0.0.2", "(none)" },
	};
	struct ipnet_list trusted = { 0 };
	struct yw_err err = YW_ERR_INIT;
	struct ipnet_addr a;
	char out[IPNET_TEXT];

	assert_int_equal(ipnet_list_add(&trusted, "10.0.0.0/24", "x", &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *x = cases[i].xff;
		if (ipnet_forwarded(&trusted, x, strlen(x), &a))
			snprintf(out, sizeof(out), "(none)");
		else
			ipnet_text(&a, out);
		assert_string_equal(out, cases[i].want);
	}
	(void)state;
}

static void test_throttle_key(void **state)
{
	char out[IPNET_TEXT];

	ipnet_throttle_key("192.0.2.1", out);
	assert_string_equal(out, "192.0.2.1");
	ipnet_throttle_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", out);
	assert_string_equal(out, "2001:db8:1:2::/64");
	ipnet_throttle_key("2001:db8:1:2::1", out);
	assert_string_equal(out, "2001:db8:1:2::/64");
	ipnet_throttle_key("", out);
	assert_string_equal(out, "");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_forwarded),
		cmocka_unit_test(test_throttle_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
