/*
 * fuzz_jout.c - the response encoder against jansson: bytes -> json_loadb
 * (any value, NULs allowed in strings) -> if it parses, jout_dump must
 * write exactly what jansson's compact dump writes, or the target aborts.
 *
 * jout's promise (jout.h) covers every tree jansson's parser can build,
 * so any difference here is a bug in jout.
 */
#include "core/yw.h"
#include "core/jout.h"

static int to_strbuf(const char *buf, size_t size, void *data)
{
	strbuf_add(data, buf, size);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	json_error_t jerr;
	json_t *j;

	if (size > (1 << 20))   /* the server's body cap */
		return 0;
	j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!j)
		return 0;
	if (json_dump_callback(j, to_strbuf, &want, JSON_COMPACT | JSON_ENCODE_ANY))
		BUG("jansson cannot encode what it parsed");
	jout_dump(j, &got);
	if (got.len != want.len || memcmp(got.buf, want.buf, got.len) || got.buf[got.len])
		BUG("jout wrote %zu bytes \"%.200s\", jansson %zu \"%.200s\"", got.len, got.buf,
		    want.len, want.buf);
	/* what http_json sends for an object or array: the same text */
	if (json_is_object(j) || json_is_array(j)) {
		strbuf_reset(&want);
		if (json_dump_callback(j, to_strbuf, &want, JSON_COMPACT) || want.len != got.len ||
		    memcmp(want.buf, got.buf, got.len))
			BUG("JSON_ENCODE_ANY changed a container's text");
	}
	strbuf_release(&want);
	strbuf_release(&got);
	json_decref(j);
	return 0;
}
