/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LIBMAPS_STORY_H
#define LIBMAPS_STORY_H

#include <stdio.h>

/*
 * libmaps --explain TRACEFILE [LIBRARY]: how each record of every library
 * matching @pattern (every mapped file if NULL) came to be, from the
 * summary that `libmaps trace -s` wrote at the end of the trace in @path.
 * Returns the number of libraries told about, or -1 (with a message) if
 * @path could not be read or holds no summary.
 */
int lm_explain_trace(FILE *out, const char *path, const char *pattern);

#endif /* LIBMAPS_STORY_H */
