/*
 * fuzz_ipnet.c - libFuzzer target for X-Forwarded-For and trusted-proxy
 * lists (core/ipnet.c): the header is anyone's input once a proxy is
 * trusted. A client found must be an address of the header, in its
 * canonical text, and parse back to itself.
 */
#include "../src/core/yw.h"
#include "../src/core/ipnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipnet_list trusted = { 0 };
	struct yw_err err = YW_ERR_INIT;
	struct ipnet_addr client, back;
	char text[IPNET_TEXT], key[IPNET_TEXT], *s;

	ipnet_list_add(&trusted, "10.0.0.0/8,2001:db8::/32,127.0.0.1", "x", &err);
	if (!ipnet_forwarded(&trusted, (const char *)data, size, &client)) {
		ipnet_text(&client, text);
		if (ipnet_parse(text, strlen(text), &back) || memcmp(back.b, client.b, 16))
			BUG("client text does not parse back");
		ipnet_throttle_key(text, key);
	}
	/* the same bytes as a list of networks: refused or added, never half */
	s = yw_strndup((const char *)data, size);
	yw_err_clear(&err);
	trusted.n = 0;
	if (ipnet_list_add(&trusted, s, "x", &err) && trusted.n)
		BUG("a refused list changed the list");
	yw_err_clear(&err);
	free(s);
	return 0;
}
