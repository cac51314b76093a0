/*
 * walbuf.c - a SQLite VFS over "unix" that gathers the writes of a
 * transaction into its write-ahead log and hands them to the kernel in
 * one pwrite.
 *
 * SQLite writes a frame of the log as two writes, its 24-byte header and
 * then the page, at offsets that are not page-aligned: a commit of thirty
 * pages was sixty pwrite calls, and the kernel's per-call and per-page
 * work on them was a third of the writer thread's time (perf, bench/
 * writer.c). Here the log's writes at consecutive offsets collect in a
 * buffer, and go out together:
 *
 *  - after the page of a commit frame (a frame header whose "database
 *    size after commit" field is not zero: the file format's own mark),
 *    so an error still fails the commit, which SQLite then rolls back;
 *  - before anything reads, syncs, truncates, sizes or closes the log;
 *  - in xShmBarrier of the database file, the barrier SQLite puts between
 *    the two copies of the wal-index header that publish a commit to
 *    readers. A reader takes a header only when both copies agree, so no
 *    reader can see a commit whose frames are not yet in the file. This
 *    is the guarantee; the commit-frame flush only keeps it from waiting.
 *  - when the buffer is full, or a write does not follow the last one.
 *
 * After a commit returns, its frames are in the kernel as before: a crash
 * of the process loses nothing more than it did. A flush that fails in
 * the barrier cannot be reported (the barrier returns nothing) and the
 * header is about to be published, so the process stops there, before
 * any reader can take the commit; the log's checksums make recovery
 * drop the incomplete transaction. The commit-frame flush, which can
 * fail cleanly, has normally emptied the buffer by then.
 *
 * Every other file, and every other method, passes through.
 */
#include "../core/yw.h"
#include "../core/log.h"
#include "walbuf.h"
#include <sqlite3.h>

#define WALBUF_CAP (1u << 20)
#define FRAME_HDR 24
#define WRITE_MAX (124u << 10)

struct wb_file {
	sqlite3_file base;       /* methods: wb_io */
	struct wb_file *db;      /* of a log: its database file's wb_file */
	struct wb_file *wal;     /* of a database: its open log, if any */
	bool is_wal;
	bool commit_next;        /* the last write was a commit frame's header */
	unsigned char *buf;      /* of a log: the gathered writes, WALBUF_CAP */
	size_t len;
	sqlite3_int64 off;       /* file offset of buf[0] */
	sqlite3_file *real;      /* the unix VFS's file, right after this */
};

static sqlite3_vfs wb_vfs;
static sqlite3_vfs *unix_vfs;

/*
 * What gathered, in writes of at most WRITE_MAX: the unix VFS's write
 * masks its length to 17 bits (seekAndWriteFd), so a longer one would
 * write what the mask leaves. On failure the rest stays and the caller
 * fails.
 */
static int flush(struct wb_file *f)
{
	size_t done = 0;
	int rc = SQLITE_OK;

	while (done < f->len) {
		size_t n = f->len - done < WRITE_MAX ? f->len - done : WRITE_MAX;
		if ((rc = f->real->pMethods->xWrite(f->real, f->buf + done, (int)n,
						    f->off + (sqlite3_int64)done)) != SQLITE_OK)
			break;
		done += n;
	}
	if (done && done < f->len)
		memmove(f->buf, f->buf + done, f->len - done);
	f->off += (sqlite3_int64)done;
	f->len -= done;
	return rc;
}

static int flush_or_fail(struct wb_file *f)
{
	return f->len ? flush(f) : SQLITE_OK;
}

static int wb_close(sqlite3_file *file)
{
	struct wb_file *f = (struct wb_file *)file;
	int rc = f->is_wal ? flush_or_fail(f) : SQLITE_OK;
	int rc2;

	if (f->is_wal && f->db && f->db->wal == f)
		f->db->wal = NULL;
	if (!f->is_wal && f->wal)
		f->wal->db = NULL;
	free(f->buf);
	f->buf = NULL;
	rc2 = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
	return rc ? rc : rc2;
}

static int wb_read(sqlite3_file *file, void *p, int n, sqlite3_int64 off)
{
	struct wb_file *f = (struct wb_file *)file;
	int rc;

	if (f->is_wal && (rc = flush_or_fail(f)))
		return rc;
	return f->real->pMethods->xRead(f->real, p, n, off);
}

static int wb_write(sqlite3_file *file, const void *p, int n, sqlite3_int64 off)
{
	struct wb_file *f = (struct wb_file *)file;
	bool commit = false;
	int rc;

	if (!f->is_wal)
		return f->real->pMethods->xWrite(f->real, p, n, off);
	if (f->len && off != f->off + (sqlite3_int64)f->len && (rc = flush(f)))
		return rc;
	if (!f->buf && !(f->buf = malloc(WALBUF_CAP)))
		return f->real->pMethods->xWrite(f->real, p, n, off);
	if ((size_t)n > WALBUF_CAP - f->len) {
		if ((rc = flush_or_fail(f)))
			return rc;
		if ((size_t)n > WALBUF_CAP)
			return f->real->pMethods->xWrite(f->real, p, n, off);
	}
	if (!f->len)
		f->off = off;
	memcpy(f->buf + f->len, p, (size_t)n);
	f->len += (size_t)n;
	if (f->commit_next) {
		f->commit_next = false;
		commit = true;
	} else if (n == FRAME_HDR) {
		const unsigned char *h = p;
		f->commit_next = (h[4] | h[5] | h[6] | h[7]) != 0;
	}
	return commit ? flush(f) : SQLITE_OK;
}

static int wb_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct wb_file *f = (struct wb_file *)file;
	int rc;

	if (f->is_wal && (rc = flush_or_fail(f)))
		return rc;
	return f->real->pMethods->xTruncate(f->real, size);
}

static int wb_sync(sqlite3_file *file, int flags)
{
	struct wb_file *f = (struct wb_file *)file;
	int rc;

	if (f->is_wal && (rc = flush_or_fail(f)))
		return rc;
	return f->real->pMethods->xSync(f->real, flags);
}

static int wb_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct wb_file *f = (struct wb_file *)file;
	int rc;

	if (f->is_wal && (rc = flush_or_fail(f)))
		return rc;
	return f->real->pMethods->xFileSize(f->real, size);
}

static int wb_lock(sqlite3_file *file, int lock)
{
	struct wb_file *f = (struct wb_file *)file;
	return f->real->pMethods->xLock(f->real, lock);
}

static int wb_unlock(sqlite3_file *file, int lock)
{
	struct wb_file *f = (struct wb_file *)file;
	return f->real->pMethods->xUnlock(f->real, lock);
}

static int wb_check_reserved(sqlite3_file *file, int *out)
{
	struct wb_file *f = (struct wb_file *)file;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wb_file_control(sqlite3_file *file, int op, void *arg)
{
	struct wb_file *f = (struct wb_file *)file;
	int rc;

	if (f->is_wal && (rc = flush_or_fail(f)))
		return rc;
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wb_sector_size(sqlite3_file *file)
{
	struct wb_file *f = (struct wb_file *)file;
	return f->real->pMethods->xSectorSize(f->real);
}

static int wb_device_characteristics(sqlite3_file *file)
{
	struct wb_file *f = (struct wb_file *)file;
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int wb_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **out)
{
	struct wb_file *f = (struct wb_file *)file;
	return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int wb_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	struct wb_file *f = (struct wb_file *)file;
	int rc;

	/* nothing of a transaction stays behind once its locks are let go */
	if ((flags & SQLITE_SHM_UNLOCK) && f->wal && (rc = flush_or_fail(f->wal)))
		return rc;
	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void wb_shm_barrier(sqlite3_file *file)
{
	struct wb_file *f = (struct wb_file *)file;

	int rc;

	if (f->wal && f->wal->len && (rc = flush(f->wal))) {
		yw_log_error("cannot write the database's log before publishing a commit: %s; stopping",
			     sqlite3_errstr(rc));
		abort();
	}
	f->real->pMethods->xShmBarrier(f->real);
}

static int wb_shm_unmap(sqlite3_file *file, int delete)
{
	struct wb_file *f = (struct wb_file *)file;
	return f->real->pMethods->xShmUnmap(f->real, delete);
}

static int wb_fetch(sqlite3_file *file, sqlite3_int64 off, int n, void **out)
{
	struct wb_file *f = (struct wb_file *)file;
	return f->real->pMethods->xFetch(f->real, off, n, out);
}

static int wb_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	struct wb_file *f = (struct wb_file *)file;
	return f->real->pMethods->xUnfetch(f->real, off, p);
}

static const sqlite3_io_methods wb_io = {
	3, wb_close, wb_read, wb_write, wb_truncate, wb_sync, wb_file_size, wb_lock, wb_unlock,
	wb_check_reserved, wb_file_control, wb_sector_size, wb_device_characteristics, wb_shm_map,
	wb_shm_lock, wb_shm_barrier, wb_shm_unmap, wb_fetch, wb_unfetch,
};

static int wb_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags)
{
	struct wb_file *f = (struct wb_file *)file;
	int rc;

	(void)vfs;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	rc = unix_vfs->xOpen(unix_vfs, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK || !f->real->pMethods) {
		/* SQLite calls no method of a file whose open failed */
		f->base.pMethods = NULL;
		return rc;
	}
	if ((flags & SQLITE_OPEN_WAL) && name) {
		struct wb_file *db = (struct wb_file *)sqlite3_database_file_object(name);

		if (db && db->base.pMethods == &wb_io) {
			f->is_wal = true;
			f->db = db;
			db->wal = f;
		}
	}
	f->base.pMethods = &wb_io;
	return SQLITE_OK;
}

static int wb_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return unix_vfs->xDelete(unix_vfs, name, sync_dir);
}

static int wb_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return unix_vfs->xAccess(unix_vfs, name, flags, out);
}

static int wb_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return unix_vfs->xFullPathname(unix_vfs, name, n, out);
}

static void *wb_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return unix_vfs->xDlOpen(unix_vfs, name);
}

static void wb_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	unix_vfs->xDlError(unix_vfs, n, out);
}

static void (*wb_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return unix_vfs->xDlSym(unix_vfs, h, sym);
}

static void wb_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	unix_vfs->xDlClose(unix_vfs, h);
}

static int wb_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return unix_vfs->xRandomness(unix_vfs, n, out);
}

static int wb_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return unix_vfs->xSleep(unix_vfs, us);
}

static int wb_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return unix_vfs->xCurrentTime(unix_vfs, out);
}

static int wb_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return unix_vfs->xGetLastError(unix_vfs, n, out);
}

static int wb_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return unix_vfs->xCurrentTimeInt64(unix_vfs, out);
}

int walbuf_install(void)
{
	if (!(unix_vfs = sqlite3_vfs_find("unix")) || unix_vfs->iVersion < 2)
		return SQLITE_ERROR;
	wb_vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct wb_file) + unix_vfs->szOsFile,
		.mxPathname = unix_vfs->mxPathname,
		.zName = "yunwei",
		.xOpen = wb_open,
		.xDelete = wb_delete,
		.xAccess = wb_access,
		.xFullPathname = wb_full_pathname,
		.xDlOpen = wb_dlopen,
		.xDlError = wb_dlerror,
		.xDlSym = wb_dlsym,
		.xDlClose = wb_dlclose,
		.xRandomness = wb_randomness,
		.xSleep = wb_sleep,
		.xCurrentTime = wb_current_time,
		.xGetLastError = wb_get_last_error,
		.xCurrentTimeInt64 = wb_current_time_int64,
	};
	return sqlite3_vfs_register(&wb_vfs, 1);
}
