/*
 * arena.h - a bump allocator for one request, freed in one call.
 *
 * Allocations are 16-byte aligned and live until arena_free(). The arena
 * has a cap: an allocation that would take it past the cap returns NULL,
 * so a request cannot grow without bound; so does a size too large to
 * represent (near SIZE_MAX), cap or not. Everything else about memory
 * (the blocks themselves) aborts on exhaustion like yw_malloc.
 */
#ifndef YW_ARENA_H
#define YW_ARENA_H

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used;   /* bytes handed out, all blocks */
	size_t cap;    /* 0 = no cap */
};

#define ARENA_INIT(cap) { NULL, 0, (cap) }

void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) YW_PRINTF(2, 3);
void arena_free(struct arena *a);

#endif
