#include "yw.h"
#include "log.h"
#include "ytime.h"

static enum yw_log_level min_level = YW_LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void yw_log_set_level(enum yw_log_level level)
{
	min_level = level;
}

static void vlog(enum yw_log_level level, const char *fmt, va_list ap)
{
	char ts[40], line[2048];
	int n;

	if (level < min_level)
		return;
	yw_fmt_iso(yw_now(), ts, sizeof(ts));
	n = snprintf(line, sizeof(line), "%s %s ", ts, level_names[level]);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	/* one write per record, so lines from threads do not interleave */
	fprintf(stderr, "%s\n", line);
}

void yw_log(enum yw_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void yw_log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(YW_LOG_WARN, fmt, ap);
	va_end(ap);
}
