/*
 * fuzz_cal_import.c - libFuzzer target for the calendar importers
 * (holiday-cn JSON, iCalendar) and the windows text form: outside input
 * an admin uploads. The first byte picks the parser, so one corpus
 * covers them all; a parse must fail cleanly or give sorted distinct days.
 */
#include "../src/core/yw.h"
#include "../src/domain/calendar/cal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum cal_format fmts[] = { CAL_FMT_AUTO, CAL_FMT_JSON, CAL_FMT_ICS };
	struct yw_err err = YW_ERR_INIT;
	struct cal_import imp = { 0 };

	if (size < 1)
		return 0;
	if (data[0] == 'W') {
		struct cal_daywin w;
		char *s = yw_strndup((const char *)data + 1, size - 1);
		if (!cal_daywin_parse(s, &w, "w", &err) && cal_daywin_check(&w, "w", &err))
			BUG("parsed windows fail their own check");
		free(s);
		return 0;
	}
	if (!cal_import_parse((const char *)data + 1, size - 1, fmts[data[0] % 3], &imp, &err)) {
		for (size_t i = 1; i < imp.n; i++)
			if (imp.days[i].day <= imp.days[i - 1].day)
				BUG("import days not sorted and distinct");
	}
	cal_import_release(&imp);
	return 0;
}
