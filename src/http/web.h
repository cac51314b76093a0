/*
 * web.h - the static web UI: files built into the binary (web/), or read
 * from --web-root while developing. A path that is not a file falls back
 * to index.html, so that the UI's deep links work.
 */
#ifndef YW_WEB_H
#define YW_WEB_H

#include <h2o.h>

void web_register(h2o_pathconf_t *path);
int web_handle(h2o_req_t *req, const char *web_root);

#endif
