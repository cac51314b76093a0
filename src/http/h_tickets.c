#include "../core/yw.h"
#include "http.h"
const struct http_route http_routes_tickets[] = { { NULL, NULL, NULL, 0, NULL } };
