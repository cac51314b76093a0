/* test_core_util.c - the small helpers of core/util.c. */
#include "yw.h"
#include <arpa/inet.h>
#include <setjmp.h>
#include <cmocka.h>

/* Every octet value in every position, against glibc's inet_ntop. */
static void test_ipv4_text(void **state)
{
	unsigned char a[4];
	char want[INET_ADDRSTRLEN], got[16];

	for (int pos = 0; pos < 4; pos++) {
		for (int v = 0; v < 256; v++) {
			for (int fill = 0; fill < 256; fill += 85) {
				memset(a, fill, sizeof(a));
				a[pos] = (unsigned char)v;
				assert_non_null(inet_ntop(AF_INET, a, want, sizeof(want)));
				memset(got, 'x', sizeof(got));
				yw_ipv4_text(a, got);
				assert_string_equal(got, want);
			}
		}
	}
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
