/*
 * fuzz_jin.c - the request-body decoder against jansson: bytes ->
 * jin_load and json_loadb(JSON_REJECT_DUPLICATES). Both must refuse, or
 * both accept and build the same tree: equal by json_equal() and by
 * their compact dumps (which keep member order and tell integers from
 * reals). Any other difference than the one jin.h names is a bug in jin.
 */
#include "core/yw.h"
#include "core/jin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jin_error e;
	json_error_t jerr;
	json_t *got, *want;
	char *a, *b;

	if (size > (1 << 20))   /* the server's body cap */
		return 0;
	got = jin_load((const char *)data, size, &e);
	want = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!got && want && memchr(data, '\0', size)) {
		/*
		 * jansson drops a NUL byte right after a number or a literal
		 * (jin.h); jin refuses it. Without those bytes (none is in a
		 * string, or jansson would have refused), jin must agree.
		 */
		unsigned char *copy = yw_malloc(size);
		size_t n = 0;
		for (size_t i = 0; i < size; i++)
			if (data[i] || !i || !((data[i - 1] >= '0' && data[i - 1] <= '9') ||
					       (data[i - 1] >= 'a' && data[i - 1] <= 'z')))
				copy[n++] = data[i];
		got = jin_load((const char *)copy, n, &e);
		free(copy);
	}
	if (!got != !want)
		BUG("jin %s what jansson %s: %s", got ? "accepts" : "refuses", want ? "accepts" : "refuses",
		    got ? jerr.text : e.text);
	if (!got)
		return 0;
	if (!json_equal(got, want))
		BUG("jin and jansson built different trees");
	a = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
	b = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!a || !b || strcmp(a, b))
		BUG("jin and jansson dump differently: %s / %s", a ? a : "?", b ? b : "?");
	free(a);
	free(b);
	json_decref(got);
	json_decref(want);
	return 0;
}
