#include "yw.h"
#include "arena.h"

struct arena_block {
	struct arena_block *next;
	size_t size, off;
	_Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK 8192

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_block *b = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	/*
	 * Written so that no sum can wrap: a size near SIZE_MAX must fail
	 * here, not turn into a small block that the caller then overruns.
	 */
	if (need < n || need > SIZE_MAX - sizeof(*b) || (a->cap && need > a->cap - a->used))
		return NULL;
	if (!b || b->size - b->off < need) {
		size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		b = yw_malloc(sizeof(*b) + size);
		b->size = size;
		b->off = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->off;
	b->off += need;
	a->used += need;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(p = arena_alloc(a, (size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = 0;
}
