/*
 * tok.h - the search tokenizer: one for the index and for queries, and for
 * both store backends.
 *
 * Chinese has no spaces and its words are mostly two characters, so a run
 * of CJK characters is indexed as overlapping bigrams ("磁盘满了" -> 磁盘
 * 盘满 满了); a lone CJK character is indexed as itself. Everything else
 * is split into words of letters and digits, ASCII lower-cased. The
 * output is the terms joined by single spaces, which any whitespace
 * tokenizer (FTS5 unicode61, PostgreSQL 'simple') indexes verbatim.
 */
#ifndef YW_TOK_H
#define YW_TOK_H

#include "strbuf.h"

/* Appends the index terms of text (valid UTF-8) to out. */
void tok_index(const char *text, size_t len, struct strbuf *out);

/*
 * A query is a list of terms that must all match. A term is a phrase of
 * one or more index terms that must occur in that order (a CJK run of the
 * query becomes the phrase of its bigrams, which matches exactly that
 * substring); prefix is set for a lone CJK character, which matches any
 * bigram that starts with it.
 */
struct tok_term {
	char *phrase;
	bool prefix;
};

/* Returns the number of terms (0 when q has nothing searchable); caller frees with tok_terms_free. */
size_t tok_query(const char *q, size_t len, struct tok_term **terms);
void tok_terms_free(struct tok_term *terms, size_t n);

#endif
