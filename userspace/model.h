/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tool works out from views, apart from how it prints it: the
 * groups a --lib pattern selects, the records a group shows, and the sums
 * that --summary and --lib's total line print.
 */
#ifndef LIBMAPS_MODEL_H
#define LIBMAPS_MODEL_H

#include <stdbool.h>

#include "view.h"

/*
 * This machine's PMD-mapped huge page in bytes (hpage_pmd_size: 2 MiB on
 * x86_64 and on arm64 with 4 KiB pages, 32 MiB with 16 KiB pages), or 0
 * if the kernel has no THP.  A record's pmd= counts such pages.
 */
unsigned long long lm_pmd_size(void);

/*
 * The PMD size of the kernel a view came from (its header's pmd_size=):
 * what lm_pmd_size() says from now on, so that a view read with --input
 * on another machine counts its own kernel's huge pages.
 */
void lm_pmd_size_set(unsigned long long size);

/* Does the name of group @g match @pattern (glob, or a substring)? */
bool lm_group_matches(const struct lm_group *g, const char *pattern);

/* With --lib @pattern only files that match it are shown; NULL: all. */
bool lm_group_selected(const struct lm_group *g, const char *pattern);

/* Does @p map a file that matches @pattern?  (NULL: yes.) */
bool lm_proc_selected(const struct lm_proc *p, const char *pattern);

/*
 * The records @g shows: its own, less bss records moved to their
 * library, then the bss records moved to it; into @out, which has room
 * for @g->nr + @g->nr_extra.  Returns how many.
 */
size_t lm_group_shown(const struct lm_group *g, const struct lm_rec **out);

/*
 * What @n records of one group cover, their bss counted for the library
 * (lm_lib_size()): bytes into *@size, bytes of huge pages into *@huge,
 * -1 if unknown (a record without the module's PMD count, or huge pages
 * in a bss record merged with other memory, which could be either's).
 */
void lm_recs_extent(const struct lm_rec *const *recs, size_t n,
		    unsigned long long *size, long long *huge);

/* --summary: one row per library, summed over the processes added. */
struct lm_libsum {
	char *name;
	unsigned long procs, records;
	unsigned long long size, huge;
	bool huge_unknown;
	struct lm_mem_stats mem;
	pid_t last_pid;
};

struct lm_summary {
	struct lm_libsum *rows;
	size_t n;
};

/* Add the libraries of @p that match @pattern (NULL: all) to @s. */
void lm_summary_add(struct lm_summary *s, const struct lm_proc *p,
		    const char *pattern);
void lm_summary_free(struct lm_summary *s);

/*
 * --lib's total: what the matching libraries cost the processes added.
 * Their PSS is what they cost the machine, as smem -m counts it.
 */
struct lm_lib_total {
	struct lm_mem_stats mem;	/* starts as lm_mem_zero() */
	unsigned long long size;
	unsigned long procs;		/* the processes that map one */
};

void lm_lib_total_add(struct lm_lib_total *t, const struct lm_proc *p,
		      const char *pattern);

#endif /* LIBMAPS_MODEL_H */
