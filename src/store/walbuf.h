/* walbuf.h - the VFS that writes a transaction's log in one call (walbuf.c); store-internal. */
#ifndef YW_STORE_WALBUF_H
#define YW_STORE_WALBUF_H

/* Registers the "yunwei" VFS as SQLite's default; SQLITE_OK or an SQLite code. */
int walbuf_install(void);

#endif
