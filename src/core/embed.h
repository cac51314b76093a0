/*
 * embed.h - files built into the binary (migrations, the web UI).
 * Each table ends with an entry whose path is NULL; data is
 * NUL-terminated one byte past size, so text can be used as a C string.
 */
#ifndef YW_EMBED_H
#define YW_EMBED_H

struct embed_file {
	const char *path;
	const unsigned char *data;
	size_t size;
};

#endif
