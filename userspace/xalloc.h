/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One way to run out of memory, as util-linux's include/xalloc.h: every
 * allocation the tool cannot do without goes through these, which say
 * "libmaps: out of memory" and exit 1.
 */
#ifndef LIBMAPS_XALLOC_H
#define LIBMAPS_XALLOC_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void __attribute__((noreturn)) lm_die_nomem(void)
{
	fputs("libmaps: out of memory\n", stderr);
	exit(1);
}

/* @p, or exit if it is NULL: for allocations made some other way */
static inline void *lm_must(void *p)
{
	if (!p)
		lm_die_nomem();
	return p;
}

static inline void *xmalloc(size_t size)
{
	return lm_must(malloc(size ? size : 1));
}

static inline void *xcalloc(size_t n, size_t size)
{
	return lm_must(calloc(n ? n : 1, size ? size : 1));
}

static inline void *xrealloc(void *p, size_t size)
{
	return lm_must(realloc(p, size ? size : 1));
}

/* NULL is copied as "" */
static inline char *xstrdup(const char *s)
{
	return lm_must(strdup(s ? s : ""));
}

static inline char *xstrndup(const char *s, size_t len)
{
	return lm_must(strndup(s, len));
}

static inline char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		lm_die_nomem();
	return s;
}

#endif /* LIBMAPS_XALLOC_H */
