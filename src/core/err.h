/*
 * err.h - an error code with its human message.
 *
 * A function that can fail for a reason the user should read returns a
 * negative YW_E* code and fills the caller's struct yw_err: the message
 * (lower case, no full stop) and, for bad input, the name of the field at
 * fault. yw_errf() returns the code so that a failure is one line:
 *
 *	if (len > 200)
 *		return yw_errf(err, YW_EINVAL, "title", "title is longer than 200 characters");
 *
 * The English format is also the key of its zh-CN translation in the
 * catalogue (msg_zh.c): yw_errf() formats both, msg in English and msg_zh
 * in Chinese with the same arguments, and the HTTP layer sends the one the
 * client's Accept-Language prefers. A format without an entry leaves msg_zh
 * empty, and the English text is sent; test_msg_zh fails for it, listing
 * the formats that need a translation.
 */
#ifndef YW_ERR_H
#define YW_ERR_H

struct yw_err {
	int code;
	char field[64];
	char msg[512];
	char msg_zh[768];   /* the message in zh-CN, or "" when the catalogue has none */
	/* extra JSON to merge into the error body (e.g. allowed transitions); owned */
	void *detail;
};

#define YW_ERR_INIT { 0, "", "", "", NULL }

int yw_errf(struct yw_err *err, int code, const char *field, const char *fmt, ...)
	YW_PRINTF(4, 5);
int yw_verrf(struct yw_err *err, int code, const char *field, const char *fmt, va_list ap)
	YW_PRINTF(4, 0);
/*
 * For a message that ends with another error's: fmt (its head, e.g.
 * "query parameter %.60s: ") is formatted in both languages and inner's
 * message, in the same language, follows it.
 */
int yw_err_wrapf(struct yw_err *err, int code, const char *field, const struct yw_err *inner,
		 const char *fmt, ...) YW_PRINTF(5, 6);
/* A constant English text (e.g. a parser's reason) with its translation, if any. */
int yw_err_text(struct yw_err *err, int code, const char *field, const char *text);
/* Copies code, field and both messages, not the detail. */
int yw_err_copy(struct yw_err *dst, const struct yw_err *src);
/* The message in the language asked for: zh-CN when zh is true and it has one. */
const char *yw_err_msg(const struct yw_err *err, bool zh);
/* Frees the detail, if any, and clears the error. */
void yw_err_clear(struct yw_err *err);
/* The short machine name of a code, e.g. "not_found". */
const char *yw_err_name(int code);
/* Sets a generic message for code, for an error that came without one. */
int yw_err_generic(struct yw_err *err, int code);

/*
 * Whether an Accept-Language value (len bytes, NULL when absent) asks for
 * zh-CN rather than English, the two languages of the messages. The
 * highest q wins, the first listed of equals; any zh-* counts as zh-CN,
 * any en-* as English, "*" as zh-CN. Absent, empty or naming neither
 * language: zh-CN, unless it refuses zh with q=0.
 */
bool yw_lang_zh(const char *value, size_t len);

/*
 * The zh-CN format of an English one, or NULL. The first call sorts the
 * catalogue; then a lookup is a binary search.
 */
const char *yw_msg_zh(const char *en);

/* The catalogue itself, for the unit test: n entries of {English, zh-CN}. */
struct yw_msg {
	const char *en;
	const char *zh;
};
extern const struct yw_msg yw_msg_catalogue[];
extern const size_t yw_msg_catalogue_len;

#endif
