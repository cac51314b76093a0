/*
 * yw.h - the compat header: every .c in yunwei includes it first.
 *
 * It pulls in the C library headers the code relies on, defines the
 * error codes shared by all layers, the checked-allocation helpers and
 * BUG(), and finally bans the calls that are easy to misuse (after git's
 * banned.h): using one is a compile error.
 */
#ifndef YW_H
#define YW_H

#define _GNU_SOURCE 1

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define YW_VERSION "0.1.0"

/*
 * Error codes. Functions return 0 on success or one of these; the text
 * that explains it goes into a caller's struct yw_err (see err.h).
 * src/http/resp.c is the one place that maps them to HTTP statuses.
 */
enum {
	YW_OK = 0,
	YW_EINVAL = -1,      /* a field is missing, malformed or out of range */
	YW_ENOTFOUND = -2,   /* no such record, or the caller may not know it */
	YW_ECONFLICT = -3,   /* unique key taken, or similar clash */
	YW_EPERM = -4,       /* authenticated, but not allowed */
	YW_EAUTH = -5,       /* not authenticated */
	YW_ETHROTTLE = -6,   /* too many attempts */
	YW_ETOOBIG = -7,     /* body or attachment over its cap */
	YW_EMEDIA = -8,      /* wrong content type */
	YW_EDB = -9,         /* the store failed */
	YW_EIO = -10,        /* a file or socket failed */
	YW_ESTATE = -11,     /* illegal life-cycle transition */
	YW_ESTALE = -12,     /* If-Match names an old version */
	YW_EPRECOND = -13,   /* If-Match missing where required */
	YW_EJSON = -14,      /* body is not valid JSON */
	YW_EUNKNOWN = -15,   /* unknown field in a body or query */
	YW_ECSRF = -16,      /* cookie write without the CSRF token */
	YW_EMETHOD = -17,    /* path exists, method does not */
	YW_EINTERNAL = -18,  /* a bug; logged */
	YW_ENEWER = -19,     /* database written by a newer yunwei */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define YW_UNUSED __attribute__((unused))
#define YW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define YW_NORETURN __attribute__((noreturn))

/* Programmer errors abort, with where they happened (git's BUG()). */
YW_NORETURN void yw_bug(const char *file, int line, const char *fmt, ...) YW_PRINTF(3, 4);
#define BUG(...) yw_bug(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Out of memory aborts (h2o's policy): callers never check for NULL from
 * these, and sizes are checked for overflow before they are multiplied.
 */
void *yw_malloc(size_t n);
void *yw_calloc(size_t nmemb, size_t size);
void *yw_realloc(void *p, size_t n);
char *yw_strdup(const char *s);
char *yw_strndup(const char *s, size_t n);
size_t yw_st_mult(size_t a, size_t b);
/* An IPv4 address (4 bytes, network order) as inet_ntop() writes it, without its cost. */
void yw_ipv4_text(const void *addr, char out[16]);
#define ALLOC_ARRAY(x, n) ((x) = yw_malloc(yw_st_mult(sizeof(*(x)), (n))))
#define REALLOC_ARRAY(x, n) ((x) = yw_realloc((x), yw_st_mult(sizeof(*(x)), (n))))
#define ALLOC_GROW(x, nr, alloc)                                              \
	do {                                                                  \
		if ((nr) > (alloc)) {                                         \
			(alloc) = (alloc) * 3 / 2 + 16;                       \
			if ((alloc) < (nr))                                   \
				(alloc) = (nr);                               \
			REALLOC_ARRAY(x, alloc);                              \
		}                                                             \
	} while (0)
#define FREE_AND_NULL(p) do { free(p); (p) = NULL; } while (0)

/* A defensive check that should never fire: log where it did (zabbix). */
#define THIS_SHOULD_NEVER_HAPPEN \
	yw_log_warn("THIS_SHOULD_NEVER_HAPPEN in %s:%d", __FILE__, __LINE__)
void yw_log_warn(const char *fmt, ...) YW_PRINTF(1, 2);

/* Banned calls (git's banned.h): use snprintf, strbuf, yw_gmtime. */
#define BANNED(func) sorry_##func##_is_banned_in_yunwei
#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef asctime
#define asctime(t) BANNED(asctime)
#undef ctime
#define ctime(t) BANNED(ctime)

#endif
