/*
 * upload.c - attachments sent in parts (upload.h). The offset is the
 * length of the part file, so there is nothing else to keep in step with
 * it: a part is written after every check passed, and a write that fails
 * is cut off again. An append holds an exclusive lock on the part file,
 * so two parts sent at once cannot both pass the offset check; a claim
 * renames the part file away, so an upload becomes one attachment only.
 */
#include "../../core/yw.h"
#include "../../core/jx.h"
#include "../../core/log.h"
#include "../../core/ytime.h"
#include "tk.h"
#include "upload.h"
#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>

/* 16 decimal digits, the first not 0: what upload_create makes. */
static bool id_valid(const char *id)
{
	size_t n = 0;

	for (; id[n]; n++)
		if (id[n] < '0' || id[n] > '9')
			return false;
	return n == UPLOAD_ID_LEN && id[0] != '0';
}

static void file_of(const char *dir, const char *id, const char *ext, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s.%s", dir, id, ext);
}

static void remove_files(const char *dir, const char *id)
{
	static const char *const exts[] = { "part", "claimed", "meta" };
	char path[4200];

	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		file_of(dir, id, exts[i], path, sizeof(path));
		unlink(path);
	}
}

/* Reads <id>.meta into u (offset not set). Returns false when absent or damaged. */
static bool meta_read(const char *dir, const char *id, struct upload_info *u)
{
	char path[4200];
	json_t *j;
	const char *fn, *ct, *sha;
	json_int_t user, size, created;

	file_of(dir, id, "meta", path, sizeof(path));
	if (!(j = json_load_file(path, 0, NULL)))
		return false;
	if (json_unpack(j, "{s:I, s:s, s:s, s:s, s:I, s:I}", "user_id", &user, "filename", &fn,
			"content_type", &ct, "sha256", &sha, "size", &size, "created_at", &created)) {
		json_decref(j);
		return false;
	}
	memset(u, 0, sizeof(*u));
	snprintf(u->id, sizeof(u->id), "%s", id);
	snprintf(u->filename, sizeof(u->filename), "%s", fn);
	snprintf(u->content_type, sizeof(u->content_type), "%s", ct);
	snprintf(u->sha256, sizeof(u->sha256), "%s", sha);
	u->user_id = user;
	u->size = size;
	u->created_at = created;
	json_decref(j);
	return true;
}

static int meta_write(const char *dir, const struct upload_info *u, struct yw_err *err)
{
	char path[4200], tmp[4300];
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "user_id", (json_int_t)u->user_id,
			      "filename", u->filename, "content_type", u->content_type, "sha256", u->sha256,
			      "size", (json_int_t)u->size, "created_at", (json_int_t)u->created_at);
	int rc;

	file_of(dir, u->id, "meta", path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	rc = j ? json_dump_file(j, tmp, JSON_COMPACT) : -1;
	json_decref(j);
	if (rc || rename(tmp, path)) {
		unlink(tmp);
		return yw_errf(err, YW_EIO, "", "cannot write %s: %s", path, strerror(errno));
	}
	return 0;
}

static bool expired(const struct upload_info *u, int64_t now)
{
	return u->created_at + UPLOAD_TTL <= now;
}

/*
 * Finds the caller's upload: its meta, and the offset from the part
 * file. Another user's upload is as absent as none; an expired one is
 * removed.
 */
static int find(const char *dir, const struct yw_actor *a, const char *id, struct upload_info *u,
		struct yw_err *err)
{
	char path[4200];
	struct stat sb;

	if (!id_valid(id) || !meta_read(dir, id, u) || u->user_id != a->user_id)
		return yw_errf(err, YW_ENOTFOUND, "id", "no such upload");
	if (expired(u, yw_now())) {
		remove_files(dir, id);
		return yw_errf(err, YW_ENOTFOUND, "id", "the upload expired; start it again");
	}
	file_of(dir, id, "part", path, sizeof(path));
	if (stat(path, &sb))
		return yw_errf(err, YW_ENOTFOUND, "id", "no such upload");
	u->offset = sb.st_size;
	return 0;
}

/*
 * One pass over dir: removes the expired uploads, and counts user_id's
 * unfinished ones that remain (0 counts nobody's).
 */
static int sweep(const char *dir, int64_t now, int64_t user_id)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct upload_info u;
	char id[UPLOAD_ID_LEN + 1];
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.');
		if (!dot || strcmp(dot, ".meta") || dot - e->d_name != UPLOAD_ID_LEN)
			continue;
		snprintf(id, sizeof(id), "%.*s", UPLOAD_ID_LEN, e->d_name);
		if (!id_valid(id) || !meta_read(dir, id, &u))
			continue;
		if (expired(&u, now)) {
			yw_log_info("removing upload %s of user %" PRId64 ", expired unfinished", id, u.user_id);
			remove_files(dir, id);
		} else {
			n += user_id && u.user_id == user_id;
		}
	}
	closedir(d);
	return n;
}

void upload_sweep(const char *dir, int64_t now)
{
	sweep(dir, now, 0);
}

/* dir and its parent (the attachment store, made by the first attachment otherwise). */
static int make_dirs(const char *dir, struct yw_err *err)
{
	char parent[4096];
	const char *slash = strrchr(dir, '/');

	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - dir) : 0, dir);
	if ((parent[0] && mkdir(parent, 0750) && errno != EEXIST) || (mkdir(dir, 0750) && errno != EEXIST))
		return yw_errf(err, YW_EIO, "", "cannot create %s: %s", dir, strerror(errno));
	return 0;
}

static int check_new(const struct upload_new *in, const char **ct, struct yw_err *err)
{
	int rc;

	if ((rc = tk_attach_check_filename(in->filename, err)))
		return rc;
	if (!(*ct = tk_attach_type(in->content_type)))
		return yw_errf(err, YW_EMEDIA, "content_type", "this content type is not accepted for attachments");
	if (in->size < 1)
		return yw_errf(err, YW_EINVAL, "size", "size must be at least 1 byte");
	if (in->size > TK_ATTACH_MAX)
		return yw_errf(err, YW_ETOOBIG, "size", "an attachment may have at most 10 MiB");
	if (in->sha256) {
		size_t n = strspn(in->sha256, "0123456789abcdef");
		if (n != 64 || in->sha256[n])
			return yw_errf(err, YW_EINVAL, "sha256", "sha256 must be 64 lower-case hex digits");
	}
	return 0;
}

int upload_create(const char *dir, const struct yw_actor *a, const struct upload_new *in,
		  struct upload_info *out, struct yw_err *err)
{
	uint64_t rnd;
	char path[4200];
	const char *ct;
	int64_t now = yw_now();
	int rc, fd;

	if ((rc = check_new(in, &ct, err)))
		return rc;
	if ((rc = make_dirs(dir, err)))
		return rc;
	/* the expired ones go first, so they do not count */
	if (sweep(dir, now, a->user_id) >= UPLOAD_OPEN_MAX)
		return yw_errf(err, YW_ETHROTTLE, "", "you have %d unfinished uploads; finish or cancel one first",
			       UPLOAD_OPEN_MAX);
	memset(out, 0, sizeof(*out));
	/* random, and still an integer id of the API's (1..2^53): 2^52 + 52 random bits */
	randombytes_buf(&rnd, sizeof(rnd));
	snprintf(out->id, sizeof(out->id), "%" PRIu64, (rnd & ((UINT64_C(1) << 52) - 1)) | (UINT64_C(1) << 52));
	out->user_id = a->user_id;
	snprintf(out->filename, sizeof(out->filename), "%s", in->filename);
	snprintf(out->content_type, sizeof(out->content_type), "%s", ct);
	snprintf(out->sha256, sizeof(out->sha256), "%s", in->sha256 ? in->sha256 : "");
	out->size = in->size;
	out->created_at = now;
	file_of(dir, out->id, "part", path, sizeof(path));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0)
		return yw_errf(err, YW_EIO, "", "cannot create %s: %s", path, strerror(errno));
	close(fd);
	if ((rc = meta_write(dir, out, err)))
		remove_files(dir, out->id);
	return rc;
}

int upload_get(const char *dir, const struct yw_actor *a, const char *id, struct upload_info *out,
	       struct yw_err *err)
{
	return find(dir, a, id, out, err);
}

static int write_all(int fd, const char *p, size_t len, off_t at)
{
	while (len) {
		ssize_t w = pwrite(fd, p, len, at);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w, len -= (size_t)w, at += w;
	}
	return 0;
}

static int check_part(const struct upload_info *u, int64_t offset, size_t len, struct yw_err *err)
{
	if (offset != u->offset) {
		yw_errf(err, YW_ECONFLICT, "Upload-Offset", "Upload-Offset is %" PRId64 "; the upload is at %" PRId64,
			offset, u->offset);
		err->detail = json_pack("{s:I}", "offset", (json_int_t)u->offset);
		return YW_ECONFLICT;
	}
	if (!len)
		return yw_errf(err, YW_EINVAL, "", "the part is empty");
	if (len > UPLOAD_PART_MAX)
		return yw_errf(err, YW_ETOOBIG, "", "a part may have at most %u KiB", UPLOAD_PART_MAX >> 10);
	if ((int64_t)len > u->size - offset)
		return yw_errf(err, YW_ETOOBIG, "", "the part goes past the declared size of %" PRId64 " bytes",
			       u->size);
	return 0;
}

int upload_append(const char *dir, const struct yw_actor *a, const char *id, int64_t offset,
		  const void *data, size_t len, struct upload_info *out, struct yw_err *err)
{
	char path[4200];
	struct stat sb;
	int rc, fd;

	if ((rc = find(dir, a, id, out, err)))
		return rc;
	file_of(dir, id, "part", path, sizeof(path));
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return yw_errf(err, YW_ENOTFOUND, "id", "no such upload");
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return yw_errf(err, YW_ECONFLICT, "id", "another part of this upload is being written");
	}
	/* the offset again, now that no one else writes */
	if (fstat(fd, &sb)) {
		close(fd);
		return yw_errf(err, YW_EIO, "", "cannot read %s: %s", path, strerror(errno));
	}
	out->offset = sb.st_size;
	if ((rc = check_part(out, offset, len, err))) {
		close(fd);
		return rc;
	}
	if (write_all(fd, data, len, (off_t)offset) || fdatasync(fd)) {
		rc = yw_errf(err, YW_EIO, "", "cannot write %s: %s", path, strerror(errno));
		if (ftruncate(fd, (off_t)offset))
			yw_log_error("cannot cut %s back to %" PRId64 ": %s", path, offset, strerror(errno));
		close(fd);
		return rc;
	}
	close(fd);
	out->offset = offset + (int64_t)len;
	return 0;
}

static int read_all(const char *path, int64_t size, char **data, struct yw_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return yw_errf(err, YW_EIO, "", "cannot read %s: %s", path, strerror(errno));
	buf = yw_malloc((size_t)size + 1);
	for (int64_t got = 0; got < size;) {
		ssize_t r = read(fd, buf + got, (size_t)(size - got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			free(buf);
			return yw_errf(err, YW_EIO, "", "cannot read %s", path);
		}
		got += r;
	}
	close(fd);
	*data = buf;
	return 0;
}

static int verify(const struct upload_info *u, const char *data, struct yw_err *err)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	if (!u->sha256[0])
		return 0;
	crypto_hash_sha256(hash, (const unsigned char *)data, (unsigned long long)u->size);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	if (strcmp(hex, u->sha256))
		return yw_errf(err, YW_EINVAL, "sha256", "the uploaded bytes do not match the declared sha256");
	return 0;
}

int upload_claim(const char *dir, const struct yw_actor *a, const char *id, struct upload_info *out,
		 char **data, struct yw_err *err)
{
	char part[4200], claimed[4200];
	int rc;

	*data = NULL;
	if ((rc = find(dir, a, id, out, err)))
		return rc;
	if (out->offset != out->size)
		return yw_errf(err, YW_ECONFLICT, "upload", "the upload has %" PRId64 " of its %" PRId64 " bytes",
			       out->offset, out->size);
	file_of(dir, id, "part", part, sizeof(part));
	file_of(dir, id, "claimed", claimed, sizeof(claimed));
	if (rename(part, claimed))
		return yw_errf(err, YW_ENOTFOUND, "upload", "no such upload");
	if ((rc = read_all(claimed, out->size, data, err)) || (rc = verify(out, *data, err))) {
		FREE_AND_NULL(*data);
		upload_release(dir, id, false);
	}
	return rc;
}

void upload_release(const char *dir, const char *id, bool done)
{
	char part[4200], claimed[4200];

	if (done) {
		remove_files(dir, id);
		return;
	}
	file_of(dir, id, "part", part, sizeof(part));
	file_of(dir, id, "claimed", claimed, sizeof(claimed));
	if (rename(claimed, part))
		yw_log_error("cannot give back upload %s: %s", id, strerror(errno));
}

int upload_remove(const char *dir, const struct yw_actor *a, const char *id, struct yw_err *err)
{
	struct upload_info u;
	int rc;

	if ((rc = find(dir, a, id, &u, err)))
		return rc;
	remove_files(dir, id);
	return 0;
}
