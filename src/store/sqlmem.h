/*
 * sqlmem.h - SQLite's memory allocator (sqlmem.c): malloc behind a
 * per-thread cache of small blocks. Installed once, before SQLite
 * initialises; not under AddressSanitizer, whose allocator must see
 * every block as SQLite asked for it.
 */
#ifndef YW_SQLMEM_H
#define YW_SQLMEM_H

/* sqlite3_config(SQLITE_CONFIG_MALLOC, ...): SQLITE_OK or SQLite's error. */
int sqlmem_install(void);

#endif
