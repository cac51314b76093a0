/* utf8.h - strict UTF-8 decoding (no overlongs, no surrogates). */
#ifndef YW_UTF8_H
#define YW_UTF8_H

/* Decodes one code point at *p (advancing it), or returns -1 on bad input. */
int32_t utf8_decode(const unsigned char **p, const unsigned char *end);
bool utf8_valid(const char *s, size_t len);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_len(const char *s, size_t len);
/* Chinese/Japanese/Korean ideographs and syllables, indexed as bigrams. */
bool utf8_is_cjk(int32_t cp);
/*
 * Bidirectional embeddings, overrides and isolates (U+202A..202E,
 * U+2066..2069): in a one-line name they make text display in another
 * order than it is stored, as in a file name "invoice<RLO>fdp.exe".
 */
bool utf8_is_bidi_control(int32_t cp);
/*
 * What shows as nothing or as space: ASCII white space, no-break and
 * ideographic spaces, and the zero-width characters (U+200B..200D,
 * U+2060, U+FEFF). A required text made only of these is blank.
 */
bool utf8_is_blank(int32_t cp);

#endif
