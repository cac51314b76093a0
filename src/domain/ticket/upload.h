/*
 * upload.h - attachments sent in parts, as resumable-upload protocols do.
 *
 * h2o reads a whole body before a handler runs, so the server caps every
 * body at one part (HTTP_PART_MAX); a larger attachment is declared
 * first (upload_create: name, type, size), then appended a part at a time
 * at the offset the server holds (upload_append), then taken by the
 * attachment route (upload_claim), which stores it exactly as a
 * one-request upload.
 *
 * Storage: <dir>/<id>.part (the bytes so far: its length is the offset)
 * and <dir>/<id>.meta (who, what, how big, when), dir being
 * <database dir>/attachments/.uploads. An id is an integer as the API's
 * ids are, 2^52 plus 52 random bits, so that one cannot be guessed.
 * Only the uploader sees an upload; one not finished a day after it was
 * created has expired and is removed (upload_sweep, and on access).
 */
#ifndef YW_UPLOAD_H
#define YW_UPLOAD_H

#include "../../core/err.h"
#include "../account/acct.h"

#define UPLOAD_PART_MAX (1u << 20)
#define UPLOAD_TTL (24 * 3600)   /* seconds an unfinished upload lives */
#define UPLOAD_OPEN_MAX 20       /* unfinished uploads per user */
#define UPLOAD_ID_LEN 16       /* decimal digits */

struct upload_new {
	const char *filename;       /* as for an attachment: 1..200 characters, no / or \ */
	const char *content_type;   /* NULL: application/octet-stream */
	const char *sha256;         /* NULL, or the hex digest the finished bytes must have */
	int64_t size;               /* 1..TK_ATTACH_MAX */
};

struct upload_info {
	char id[UPLOAD_ID_LEN + 1];
	int64_t user_id;
	char filename[1024];
	char content_type[128];
	char sha256[65];            /* "" when not declared */
	int64_t size, offset, created_at;
};

/* Starts an upload for the caller. */
int upload_create(const char *dir, const struct yw_actor *a, const struct upload_new *in,
		  struct upload_info *out, struct yw_err *err);
/* The caller's upload id as it stands (YW_ENOTFOUND for another's, or an expired one). */
int upload_get(const char *dir, const struct yw_actor *a, const char *id, struct upload_info *out,
	       struct yw_err *err);
/*
 * Appends a part of 1..UPLOAD_PART_MAX bytes at offset, which must be the
 * upload's offset now (YW_ECONFLICT otherwise), within the declared size.
 * A refused or failed part leaves the upload as it was.
 */
int upload_append(const char *dir, const struct yw_actor *a, const char *id, int64_t offset,
		  const void *data, size_t len, struct upload_info *out, struct yw_err *err);
/*
 * Takes a finished upload for storing: checks it is complete and matches
 * its declared sha256, and returns its bytes (*data, free() it). Until
 * upload_release(), no one else can take or append to it.
 */
int upload_claim(const char *dir, const struct yw_actor *a, const char *id, struct upload_info *out,
		 char **data, struct yw_err *err);
/* After upload_claim: done removes the upload, else it is given back as it was. */
void upload_release(const char *dir, const char *id, bool done);
/* Cancels the caller's upload. */
int upload_remove(const char *dir, const struct yw_actor *a, const char *id, struct yw_err *err);
/* Removes the uploads that expired before now. */
void upload_sweep(const char *dir, int64_t now);

#endif
