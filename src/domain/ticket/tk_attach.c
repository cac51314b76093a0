/*
 * tk_attach.c - files on tickets. The bytes are stored once per content
 * under <dir>/ab/cdef... (SHA-256 hex), written to a temporary name and
 * renamed, so a reader never sees half a file and two uploads of the same
 * file share it. The row in attachments says who may see it.
 */
#include "../../core/yw.h"
#include "../../core/jx.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "tk_int.h"
#include "../account/perm.h"
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>

/* What may be uploaded: no HTML, SVG or scripts, which a browser would run. */
static const char *const allowed_types[] = {
	"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp",
	"application/pdf", "text/plain", "text/csv", "application/zip",
	"application/x-zip-compressed", "application/x-7z-compressed", "application/gzip",
	"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
	"application/octet-stream", NULL
};

const char *tk_attach_type(const char *ct)
{
	char base[128];
	size_t n = 0;

	if (!ct || !*ct)
		return "application/octet-stream";
	while (ct[n] && ct[n] != ';' && n + 1 < sizeof(base)) {
		base[n] = (char)tolower((unsigned char)ct[n]);
		n++;
	}
	while (n && base[n - 1] == ' ')
		n--;
	base[n] = '\0';
	for (const char *const *t = allowed_types; *t; t++)
		if (!strcmp(*t, base))
			return *t;
	return NULL;
}

int tk_attach_check_filename(const char *s, struct yw_err *err)
{
	int rc;

	if (!s)
		return yw_errf(err, YW_EINVAL, "filename", "filename is required");
	if ((rc = jx_check_str("filename", s, strlen(s), 1, 200, false, err)))
		return rc;
	if (strpbrk(s, "/\\") || !strcmp(s, ".") || !strcmp(s, ".."))
		return yw_errf(err, YW_EINVAL, "filename", "filename must not contain / or \\");
	return 0;
}

static void blob_path(const char *dir, const char *hex, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%.2s/%s", dir, hex, hex + 2);
}

/* Stores the bytes under their hash, unless a file of that hash is there. */
static int store_blob(const char *dir, const char *hex, const void *data, size_t len, struct yw_err *err)
{
	char path[4096], sub[4096], tmp[4200];
	unsigned char rnd[8];
	struct stat sb;
	int fd;

	blob_path(dir, hex, path, sizeof(path));
	if (!stat(path, &sb) && (size_t)sb.st_size == len)
		return 0;
	snprintf(sub, sizeof(sub), "%s/%.2s", dir, hex);
	if ((mkdir(dir, 0750) && errno != EEXIST) || (mkdir(sub, 0750) && errno != EEXIST))
		return yw_errf(err, YW_EIO, "", "cannot create %s: %s", sub, strerror(errno));
	randombytes_buf(rnd, sizeof(rnd));
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%02x%02x%02x%02x%02x%02x%02x%02x", sub, rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0)
		return yw_errf(err, YW_EIO, "", "cannot write %s: %s", tmp, strerror(errno));
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return yw_errf(err, YW_EIO, "", "cannot write %s: %s", tmp, strerror(errno));
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) || close(fd) || rename(tmp, path)) {
		unlink(tmp);
		return yw_errf(err, YW_EIO, "", "cannot store %s: %s", path, strerror(errno));
	}
	return 0;
}

static json_t *attach_json(struct db *db, int64_t id, int64_t ticket, const char *filename, const char *ct,
			   int64_t size, const char *sha, bool internal, int64_t uploader, int64_t at)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:b, s:o, s:o}", "id", (json_int_t)id,
			 "ticket_id", (json_int_t)ticket, "filename", filename, "content_type", ct,
			 "size", (json_int_t)size, "sha256", sha, "internal", internal,
			 "uploader", tk_user_json(db, uploader), "created_at", jx_time_or_null(at));
}

int tk_attach_add(struct db *db, const struct yw_actor *a, const char *dir, int64_t id,
		  const struct tk_upload *u, json_t **out, struct yw_err *err)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];
	const char *ct;
	struct tk_row t;
	int64_t aid, now = yw_now();
	int rc;

	if ((rc = tk_load(db, a, id, &t, err)))
		return rc;
	tk_row_release(&t);
	if (u->internal && !perm_allows(a, P_TICKET_INTERNAL, NULL))
		return yw_errf(err, YW_EPERM, "internal", "only staff add internal attachments");
	if ((rc = tk_attach_check_filename(u->filename, err)))
		return rc;
	if (!(ct = tk_attach_type(u->content_type)))
		return yw_errf(err, YW_EMEDIA, "Content-Type", "this content type is not accepted for attachments");
	if (u->len > TK_ATTACH_MAX)
		return yw_errf(err, YW_ETOOBIG, "", "an attachment may have at most 10 MiB");
	if (!u->len)
		return yw_errf(err, YW_EINVAL, "", "the attachment is empty");
	if (!dir)
		return yw_errf(err, YW_EINTERNAL, "", "no attachment directory configured");
	crypto_hash_sha256(hash, u->data, u->len);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	if ((rc = store_blob(dir, hex, u->data, u->len, err)))
		return rc;

	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = db_queryint(db, &aid, err, "INSERT INTO attachments(ticket_id, sha256, filename, content_type,"
			      " size, internal, uploader_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			      "isssiidi", id, hex, u->filename, ct, (int64_t)u->len, (int64_t)u->internal,
			      a->user_id, now)) ||
	    (rc = tk_hist(db, id, a, u->internal ? "internal_attachment" : "attachment", NULL, u->filename,
			  NULL, err)) ||
	    (rc = db_execf(db, err, "UPDATE tickets SET updated_at = ? WHERE id = ?", "ii", now, id)) ||
	    (rc = db_commit(db, err))) {
		db_rollback(db);
		return rc;
	}
	*out = attach_json(db, aid, id, u->filename, ct, (int64_t)u->len, hex, u->internal, a->user_id, now);
	return 0;
}

static json_t *attach_row(struct db *db, struct db_stmt *st)
{
	char *fn = yw_strdup(db_col_text(st, 1)), *ct = yw_strdup(db_col_text(st, 2)), *sha = yw_strdup(db_col_text(st, 4));
	json_t *j = attach_json(db, db_col_int(st, 0), db_col_int(st, 8), fn, ct, db_col_int(st, 3), sha,
				db_col_int(st, 5) != 0, db_col_int(st, 6), db_col_int(st, 7));

	free(fn);
	free(ct);
	free(sha);
	return j;
}

int tk_attach_list_json(struct db *db, const struct yw_actor *a, int64_t id, int64_t after, int limit,
			json_t **out, int64_t *next, struct yw_err *err)
{
	return tk_page(db, a, id, "SELECT id, filename, content_type, size, sha256, internal,"
		       " COALESCE(uploader_id, 0), created_at, ticket_id FROM attachments"
		       " WHERE ticket_id = ? AND (? = 1 OR internal = 0) AND id > ? ORDER BY id LIMIT ?",
		       after, limit, attach_row, out, next, err);
}

int tk_attach_get(struct db *db, const struct yw_actor *a, const char *dir, int64_t attachment_id,
		  struct tk_blob *out, struct yw_err *err)
{
	struct db_stmt *st;
	char sha[80] = "", path[4096];
	bool visible = false;
	int64_t size = 0;
	struct stat sb;
	int rc, fd;

	memset(out, 0, sizeof(*out));
	if ((rc = db_prepare(db, "SELECT a.sha256, a.filename, a.content_type, a.size, a.internal, t.org_id"
			     " FROM attachments a JOIN tickets t ON t.id = a.ticket_id WHERE a.id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, attachment_id);
	if ((rc = db_step(st, err)) == DB_ROW) {
		visible = tk_can_see(a, db_col_int(st, 5)) && (!db_col_int(st, 4) || acct_is_staff(a));
		snprintf(sha, sizeof(sha), "%s", db_col_text(st, 0));
		snprintf(out->filename, sizeof(out->filename), "%s", db_col_text(st, 1));
		snprintf(out->content_type, sizeof(out->content_type), "%s", db_col_text(st, 2));
		size = db_col_int(st, 3);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	if (!visible)
		return yw_errf(err, YW_ENOTFOUND, "id", "no such attachment");
	if (!dir || strlen(sha) != 64)
		return yw_errf(err, YW_EINTERNAL, "", "attachment %" PRId64 " has no stored file", attachment_id);
	blob_path(dir, sha, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) || sb.st_size != size) {
		if (fd >= 0)
			close(fd);
		return yw_errf(err, YW_EIO, "", "attachment file %s is missing or damaged", path);
	}
	out->data = yw_malloc((size_t)size + 1);
	for (size_t got = 0; got < (size_t)size;) {
		ssize_t r = read(fd, out->data + got, (size_t)size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			tk_blob_release(out);
			return yw_errf(err, YW_EIO, "", "cannot read %s", path);
		}
		got += (size_t)r;
	}
	close(fd);
	out->len = (size_t)size;
	return 0;
}

void tk_blob_release(struct tk_blob *b)
{
	FREE_AND_NULL(b->data);
	b->len = 0;
}
