/*
 * client.h - the CLI's HTTP client for commands that talk to a running
 * server (`yunwei ticket ...`): --server URL (default $YUNWEI_SERVER, then
 * http://127.0.0.1:8080) and the bearer token from $YUNWEI_TOKEN.
 */
#ifndef YW_CLIENT_H
#define YW_CLIENT_H

#include <jansson.h>
#include "../core/strbuf.h"

struct client {
	const char *server;
	const char *token;
};

/* Fills c from --server / the environment; prints and returns CLI_USAGE when no token. */
int client_init(struct client *c, const char *server_opt);

/*
 * Sends method path (with query) and an optional JSON body (borrowed).
 * extra_header is one "Name: value" or NULL. On an HTTP answer returns its
 * status and *out (JSON or NULL; caller decrefs); on a transport failure
 * prints and returns -1.
 */
int client_call(struct client *c, const char *method, const char *path, json_t *body,
		const char *extra_header, json_t **out);

/*
 * GETs every page of a list endpoint (following next_cursor, 200 a
 * page) and gives {"items":[...]} with all of them, like one answer of
 * client_call; stops at the first answer that is not a 200, and returns it.
 */
int client_get_all(struct client *c, const char *path, json_t **out);

/* Prints the server's error body ("error: message (field)") and returns CLI_FAIL. */
int client_fail(int status, json_t *resp);

/* Terminal width of a UTF-8 string: CJK and full-width characters take two columns. */
size_t cli_width(const char *s);
/* Appends s padded (or cut, with "…") to exactly width columns. */
void cli_pad(struct strbuf *sb, const char *s, size_t width);

#endif
