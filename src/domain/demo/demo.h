/*
 * demo.h - the demo department for `make run`: the three rooms of an
 * operations department as groups, engineers and a supervisor, a customer
 * organisation with two contacts, a category tree and a dozen tickets in
 * various states. Loaded once; returns 1 when loaded, 0 when present.
 */
#ifndef YW_DEMO_H
#define YW_DEMO_H

#include "../../core/err.h"
struct db;

int demo_load(struct db *db, struct yw_err *err);
/* The demo logins and their shared password, for `yunwei init --demo` to print. */
extern const char demo_credentials[];

#endif
