#include "../core/yw.h"
#include "http.h"
const struct http_route http_routes_accounts[] = { { NULL, NULL, NULL, 0, NULL } };
