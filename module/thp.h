/* SPDX-License-Identifier: GPL-2.0 */
/*
 * May transparent huge pages back a VMA?  The same answer as smaps'
 * THPeligible line, and when the answer is no, the rule that said so.
 */
#ifndef _LIBMAPS_THP_H
#define _LIBMAPS_THP_H

#include <linux/mm_types.h>
#include <linux/types.h>

/* Why a VMA is not eligible: the first rule, in the kernel's order. */
enum lm_thp_why {
	LM_THP_ELIGIBLE = 0,
	LM_THP_NOT_BUILT,	/* kernel without CONFIG_TRANSPARENT_HUGEPAGE */
	LM_THP_NO_SYSFS,	/* the THP settings could not be read */
	LM_THP_NO_MM,		/* a special mapping with no mm (gate VMA) */
	LM_THP_HW,		/* the CPU or firmware cannot do huge pages */
	LM_THP_NOHUGEPAGE,	/* madvise(MADV_NOHUGEPAGE) */
	LM_THP_PRCTL,		/* prctl(PR_SET_THP_DISABLE) */
	LM_THP_PRCTL_ADVISED,	/* ... PR_THP_DISABLE_EXCEPT_ADVISED, no MADV_HUGEPAGE */
	LM_THP_DAX,		/* DAX: only the fault path maps huge */
	LM_THP_SPECIAL,		/* VM_NO_KHUGEPAGED: pfnmap, io, mixedmap, hugetlb */
	LM_THP_MISALIGNED,	/* the file offset does not line up with the address */
	LM_THP_TOO_SMALL,	/* no aligned huge page of an allowed size fits */
	LM_THP_SHMEM_NOT_REGULAR, /* shmem, but not a regular file */
	LM_THP_SHMEM_DENY,	/* shmem_enabled: deny */
	LM_THP_SHMEM_NEVER,	/* huge=never (shmem_enabled for internal mounts) */
	LM_THP_SHMEM_ADVISE,	/* huge=advise, and no MADV_HUGEPAGE */
	LM_THP_SHMEM_WITHIN_SIZE, /* huge=within_size, past EOF, no MADV_HUGEPAGE */
	LM_THP_SHMEM_NO_SIZE,	/* anon shmem: no hugepages-*kB/shmem_enabled allows a size */
	LM_THP_SYSFS_NEVER,	/* transparent_hugepage/enabled: never */
	LM_THP_SYSFS_MADVISE,	/* enabled: madvise, and no MADV_HUGEPAGE */
	LM_THP_NO_SIZE,		/* no hugepages-*kB/enabled allows a size */
	LM_THP_NO_FILE,		/* neither anonymous nor file-backed ([vdso]) */
	LM_THP_FILE,		/* file: no CONFIG_READ_ONLY_THP_FOR_FS (7.x: no PMD folios) */
	LM_THP_FILE_NOEXEC,	/* file: 6.1 collapses only executable mappings */
	LM_THP_FILE_ANON_INODE,	/* file: secretmem (7.x: any anonymous inode) */
	LM_THP_FILE_WRITABLE,	/* file: open for writing somewhere */
	LM_THP_FILE_NOT_REGULAR, /* file: not a regular file */
	LM_THP_STACK,		/* a stack still being set up by exec */
	LM_THP_NR_WHY
};

/*
 * The THP settings, read from /sys/kernel/mm/transparent_hugepage before
 * the mmap lock is taken: the kernel exports none of them to modules.
 * Orders are bitmasks, bit N for a huge page of PAGE_SIZE << N.
 */
struct lm_thp_global {
	u8 state;			/* enum lm_thp_state (thp.c) */
	bool enabled;			/* enabled: always or madvise */
	bool always;			/* enabled: always */
	s8 shmem_huge;			/* shmem_enabled, as SHMEM_HUGE_* */
	unsigned long anon_always;	/* hugepages-*kB/enabled */
	unsigned long anon_madvise;
	unsigned long anon_inherit;
	unsigned long shmem_always;	/* hugepages-*kB/shmem_enabled */
	unsigned long shmem_madvise;
	unsigned long shmem_inherit;
	unsigned long shmem_within_size;
};

void lm_thp_init(void);
void lm_thp_exit(void);
void lm_thp_global_read(struct lm_thp_global *g);
enum lm_thp_why lm_thp_check(const struct lm_thp_global *g,
			     struct vm_area_struct *vma, unsigned long *orders);
const char *lm_thp_why_name(enum lm_thp_why why);

#endif /* _LIBMAPS_THP_H */
