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
 */
#ifndef YW_ERR_H
#define YW_ERR_H

struct yw_err {
	int code;
	char field[64];
	char msg[512];
	/* extra JSON to merge into the error body (e.g. allowed transitions); owned */
	void *detail;
};

#define YW_ERR_INIT { 0, "", "", NULL }

int yw_errf(struct yw_err *err, int code, const char *field, const char *fmt, ...)
	YW_PRINTF(4, 5);
/* Frees the detail, if any, and clears the error. */
void yw_err_clear(struct yw_err *err);
/* The short machine name of a code, e.g. "not_found". */
const char *yw_err_name(int code);

#endif
