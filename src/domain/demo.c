#include "../core/yw.h"
#include "demo.h"
int demo_load(struct db *db, struct yw_err *err) { (void)db; return yw_errf(err, YW_EINTERNAL, "", "demo data not written yet"); }
