#include "yw.h"
#include "tok.h"
#include "utf8.h"

enum cls { C_SEP, C_WORD, C_CJK };

static enum cls classify(int32_t cp)
{
	if (cp < 0x80)
		return isalnum(cp) ? C_WORD : C_SEP;
	if (utf8_is_cjk(cp))
		return C_CJK;
	/* CJK and full-width punctuation, general punctuation, spaces */
	if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
	    (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
	    (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
	    cp == 0xA0 || cp == 0xFEFF || (cp >= 0x80 && cp <= 0xBF) ||
	    cp == 0xD7 || cp == 0xF7)
		return C_SEP;
	return C_WORD;
}

/*
 * Walks text and calls emit for each run: a word (span), or a CJK run
 * given as an array of code-point start offsets.
 */
struct run {
	enum cls cls;
	size_t start, end;       /* byte span */
	size_t nchars;
	size_t *offs;            /* for CJK: start offset of each char, plus end */
};

typedef void (*run_fn)(const char *text, const struct run *r, void *data);

static void walk(const char *text, size_t len, run_fn fn, void *data)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	struct run r = { C_SEP, 0, 0, 0, NULL };
	size_t alloc = 0;

	while (1) {
		const unsigned char *at = p;
		int32_t cp = p < end ? utf8_decode(&p, end) : -2;
		enum cls c;

		if (cp == -1) {  /* invalid byte: skip it as a separator */
			p = at + 1;
			c = C_SEP;
		} else {
			c = cp == -2 ? C_SEP : classify(cp);
		}
		if (c != r.cls && r.cls != C_SEP) {
			r.end = at - (const unsigned char *)text;
			if (r.cls == C_CJK) {
				ALLOC_GROW(r.offs, r.nchars + 1, alloc);
				r.offs[r.nchars] = r.end;
			}
			fn(text, &r, data);
		}
		if (cp == -2)
			break;
		if (c != r.cls) {
			r.cls = c;
			r.start = at - (const unsigned char *)text;
			r.nchars = 0;
		}
		if (c == C_CJK) {
			ALLOC_GROW(r.offs, r.nchars + 1, alloc);
			r.offs[r.nchars] = at - (const unsigned char *)text;
		}
		r.nchars++;
	}
	free(r.offs);
}

static void add_word(struct strbuf *out, const char *s, size_t n)
{
	if (out->len)
		strbuf_addch(out, ' ');
	for (size_t i = 0; i < n; i++)
		strbuf_addch(out, tolower((unsigned char)s[i]));
}

static void add_run(const char *text, const struct run *r, struct strbuf *out)
{
	if (r->cls == C_WORD) {
		add_word(out, text + r->start, r->end - r->start);
	} else if (r->nchars == 1) {
		add_word(out, text + r->start, r->end - r->start);
	} else {
		for (size_t i = 0; i + 1 < r->nchars; i++)
			add_word(out, text + r->offs[i], r->offs[i + 2] - r->offs[i]);
	}
}

static void index_run(const char *text, const struct run *r, void *data)
{
	add_run(text, r, data);
}

void tok_index(const char *text, size_t len, struct strbuf *out)
{
	walk(text, len, index_run, out);
}

struct query_ctx {
	struct tok_term *terms;
	size_t n, alloc;
};

static void query_run(const char *text, const struct run *r, void *data)
{
	struct query_ctx *q = data;
	struct strbuf sb = STRBUF_INIT;

	if (q->n >= 32)  /* a longer query is no more selective; cap the work */
		return;
	add_run(text, r, &sb);
	ALLOC_GROW(q->terms, q->n + 1, q->alloc);
	q->terms[q->n].prefix = r->cls == C_CJK && r->nchars == 1;
	q->terms[q->n].phrase = strbuf_detach(&sb, NULL);
	q->n++;
}

size_t tok_query(const char *q, size_t len, struct tok_term **terms)
{
	struct query_ctx ctx = { NULL, 0, 0 };

	walk(q, len, query_run, &ctx);
	*terms = ctx.terms;
	return ctx.n;
}

void tok_terms_free(struct tok_term *terms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(terms[i].phrase);
	free(terms);
}
