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

#endif
