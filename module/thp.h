/* SPDX-License-Identifier: GPL-2.0 */
/*
 * May transparent huge pages back a VMA?  The same answer as smaps'
 * THPeligible line, and when the answer is no, the rule that said so.
 */
#ifndef _LIBMAPS_THP_H
#define _LIBMAPS_THP_H

#include <linux/mm_types.h>
#include <linux/types.h>

enum lm_thp_why {
	LM_THP_ELIGIBLE = 0,
	LM_THP_NOT_BUILT,	/* kernel without CONFIG_TRANSPARENT_HUGEPAGE */
	LM_THP_NO_MM,		/* a special mapping with no mm */
	LM_THP_NOHUGEPAGE,	/* madvise(MADV_NOHUGEPAGE) */
	LM_THP_PRCTL,		/* prctl(PR_SET_THP_DISABLE) */
	LM_THP_DAX,		/* DAX: only the fault path maps huge */
	LM_THP_SPECIAL,		/* pfnmap, io, mixedmap, hugetlb... */
	LM_THP_TOO_SMALL,	/* no aligned huge-page-sized range fits */
	LM_THP_SHMEM,		/* shmem/tmpfs huge= and shmem_enabled refuse */
	LM_THP_SYSFS_NEVER,	/* transparent_hugepage/enabled: never */
	LM_THP_SYSFS_MADVISE,	/* enabled: madvise, and no MADV_HUGEPAGE */
	LM_THP_NO_SIZE,		/* no huge page size is enabled for it */
	LM_THP_FILE,		/* page cache of this file cannot be huge */
	LM_THP_STACK,		/* a stack still being set up by exec */
	LM_THP_NR_WHY
};

/* THP settings that are read from sysfs before the mmap lock is taken. */
struct lm_thp_global {
	bool enabled;			/* enabled: always or madvise */
	bool always;			/* enabled: always */
	int shmem_huge;			/* shmem_enabled, as SHMEM_HUGE_* */
	unsigned long anon_always;	/* hugepages-*kB/enabled, as orders */
	unsigned long anon_madvise;
	unsigned long anon_inherit;
	unsigned long shmem_always;	/* hugepages-*kB/shmem_enabled */
	unsigned long shmem_madvise;
	unsigned long shmem_inherit;
	unsigned long shmem_within_size;
};

void lm_thp_global_read(struct lm_thp_global *g);
enum lm_thp_why lm_thp_check(const struct lm_thp_global *g,
			     struct vm_area_struct *vma, unsigned long *orders);
const char *lm_thp_why_name(enum lm_thp_why why);

#endif /* _LIBMAPS_THP_H */
