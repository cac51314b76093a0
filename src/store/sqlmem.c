/*
 * sqlmem.c - SQLite's memory allocator: malloc, with a small cache of
 * blocks per thread in front of it (sqlmem.h).
 *
 * Debian builds SQLite with SQLITE_OMIT_LOOKASIDE, so every statement
 * run allocates and frees its cursors, the text of each string column
 * it reads and the records it compares: a dozen malloc/free pairs for
 * GET /tickets/{id}, more for a ticket's creation, each through SQLite's
 * wrappers and glibc's size bins (its tcache keeps seven blocks a size,
 * fewer than one statement frees). Here a block's size is rounded up to
 * a power of two from 32 to 4096 bytes, and a freed block goes onto the
 * freeing thread's list for its size, up to CACHE_MAX blocks; the next
 * allocation of that size on that thread takes it back. Larger blocks,
 * and blocks past a full list, go to malloc and free.
 *
 * A block may be freed by another thread than the one that allocated
 * it: it is plain malloc'ed memory of its class's size, so any list of
 * that class may keep it. A thread's lists are freed when it exits. At
 * most CACHE_MAX * (32 + 64 + ... + 4096) bytes, 512 KiB, wait in one
 * thread's lists.
 */
#include "../core/yw.h"
#include "sqlmem.h"
#include <pthread.h>
#include <sqlite3.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#endif

#ifndef SANITIZED

#define MIN_SHIFT 5   /* 32 bytes */
#define NCLASS 8      /* 32 .. 4096 */
#define CACHE_MAX 64
#define HEAD 16       /* before each block: its class, keeping malloc's 16-byte alignment */
#define LARGE 0xffu

struct head {
	uint32_t cls;    /* class, or LARGE */
	uint32_t pad;
	uint64_t size;   /* usable bytes */
};

struct lists {
	void *head[NCLASS];
	unsigned n[NCLASS];
};

static __thread struct lists cache;
static __thread bool registered;
static pthread_key_t exit_key;

static inline size_t class_bytes(unsigned cls)
{
	return (size_t)1 << (cls + MIN_SHIFT);
}

/* The class whose blocks hold n usable bytes, or LARGE. */
static inline unsigned class_of(size_t n)
{
	size_t total = n + HEAD;
	unsigned cls;

	if (total > class_bytes(NCLASS - 1))
		return LARGE;
	if (total <= class_bytes(0))
		return 0;
	cls = (unsigned)(64 - __builtin_clzll((unsigned long long)total - 1)) - MIN_SHIFT;
	return cls;
}

/* At thread exit: the thread's lists go back to malloc. */
static void drain(void *unused)
{
	(void)unused;
	for (unsigned c = 0; c < NCLASS; c++) {
		while (cache.head[c]) {
			void *b = cache.head[c];
			memcpy(&cache.head[c], b, sizeof(void *));
			free(b);
		}
		cache.n[c] = 0;
	}
}

static void *mem_malloc(int n)
{
	unsigned cls;
	struct head *h;

	if (n <= 0)
		return NULL;
	cls = class_of((size_t)n);
	if (cls != LARGE && cache.head[cls]) {
		h = cache.head[cls];
		memcpy(&cache.head[cls], h, sizeof(void *));   /* the link is where the class was */
		cache.n[cls]--;
		h->cls = cls;
		return (char *)h + HEAD;
	}
	if (cls == LARGE) {
		if (!(h = malloc((size_t)n + HEAD)))
			return NULL;
		h->size = (uint64_t)n;
	} else {
		if (!(h = malloc(class_bytes(cls))))
			return NULL;
		h->size = class_bytes(cls) - HEAD;
	}
	h->cls = cls;
	return (char *)h + HEAD;
}

static void mem_free(void *p)
{
	struct head *h;
	unsigned cls;

	if (!p)
		return;
	h = (struct head *)((char *)p - HEAD);
	cls = h->cls;
	if (cls == LARGE || cache.n[cls] >= CACHE_MAX) {
		free(h);
		return;
	}
	/* only a free fills the lists: the first one asks for drain at the thread's exit */
	if (!registered) {
		registered = true;
		pthread_setspecific(exit_key, &cache);
	}
	memcpy(h, &cache.head[cls], sizeof(void *));
	cache.head[cls] = h;
	cache.n[cls]++;
}

static int mem_size(void *p)
{
	return p ? (int)((struct head *)((char *)p - HEAD))->size : 0;
}

static void *mem_realloc(void *p, int n)
{
	const struct head *h;
	void *q;
	int old;

	if (!p)
		return mem_malloc(n);
	if (n <= 0)
		return NULL;
	h = (const struct head *)((char *)p - HEAD);
	old = (int)h->size;
	/* a class block already holds any size of its class */
	if (h->cls != LARGE && class_of((size_t)n) == h->cls)
		return p;
	if (!(q = mem_malloc(n)))
		return NULL;
	memcpy(q, p, (size_t)(old < n ? old : n));
	mem_free(p);
	return q;
}

static int mem_roundup(int n)
{
	unsigned cls = n > 0 ? class_of((size_t)n) : 0;

	if (cls == LARGE)
		return (n + 7) & ~7;
	return (int)(class_bytes(cls) - HEAD);
}

static int mem_init(void *unused)
{
	(void)unused;
	return pthread_key_create(&exit_key, drain) ? SQLITE_NOMEM : SQLITE_OK;
}

static void mem_shutdown(void *unused)
{
	(void)unused;
}

int sqlmem_install(void)
{
	static const sqlite3_mem_methods methods = {
		mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
	};
	return sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
}

#else

int sqlmem_install(void)
{
	return SQLITE_OK;   /* the sanitizer's allocator sees each block as SQLite asked for it */
}

#endif
