/*
 * log.h - one-line log records on stderr: time, level, message.
 * Messages are lower case and name the thing (git's guideline).
 */
#ifndef YW_LOG_H
#define YW_LOG_H

enum yw_log_level { YW_LOG_DEBUG, YW_LOG_INFO, YW_LOG_WARN, YW_LOG_ERROR };

void yw_log_set_level(enum yw_log_level level);
void yw_log(enum yw_log_level level, const char *fmt, ...) YW_PRINTF(2, 3);
#define yw_log_info(...) yw_log(YW_LOG_INFO, __VA_ARGS__)
#define yw_log_error(...) yw_log(YW_LOG_ERROR, __VA_ARGS__)
#define yw_log_debug(...) yw_log(YW_LOG_DEBUG, __VA_ARGS__)

#endif
