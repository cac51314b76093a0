/*
 * web.h - the static web UI: files built into the binary (web/), or read
 * from --web-root while developing. A path that is not a file falls back
 * to index.html, so that the UI's deep links work.
 *
 * Every file is sent with a strong ETag (a hash of its content) and
 * "Cache-Control: no-cache", and gzip-compressed when the client accepts
 * it, with the CSP header that forbids inline scripts and styles.
 */
#ifndef YW_WEB_H
#define YW_WEB_H

#include <h2o.h>

/*
 * Prepares the embedded files (ETags, gzip copies) once. Call it before
 * the worker threads start; later calls do nothing. path may be NULL.
 */
void web_register(h2o_pathconf_t *path);
/* Serves GET/HEAD of a static file for req; always sends a response, returns 0. */
int web_handle(h2o_req_t *req, const char *web_root);

#endif
