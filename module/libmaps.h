/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmaps: an annotated, per-library view of a task's memory map.
 *
 * The pieces, in the order a read goes through them:
 *   fs.c        the filesystem under /sys/kernel/debug/libmaps: pid lookup
 *   snapshot.c  lm_snapshot_take(): the only code that holds the mmap lock
 *   walk.c      the page-table walk of one VMA under it: PMDs, memory
 *   thp.c       may transparent huge pages back a VMA, and if not, why
 *   shmem.c     which files and VMAs are shared memory, as the kernel says
 *   annotate.c  grouping of the copied VMAs per file and per kind
 *   format.c    the text of the view (Documentation/view.rst)
 */
#ifndef _LIBMAPS_H
#define _LIBMAPS_H

#include <linux/types.h>
#include <linux/mm_types.h>
#include <linux/sched.h>
#include <linux/time64.h>

#include "uapi/libmaps.h"

#define LM_VIEW_VERSION	1

/* What a VMA is, in the words of /proc/<pid>/maps' name column. */
enum lm_kind {
	LM_KIND_FILE,		/* a mapped file: path, dev, inode */
	LM_KIND_ANON_SHMEM,	/* [anon_shmem:<name>] */
	LM_KIND_HEAP,		/* [heap] */
	LM_KIND_STACK,		/* [stack] */
	LM_KIND_VDSO,		/* [vdso] */
	LM_KIND_VVAR,		/* [vvar] */
	LM_KIND_VSYSCALL,	/* [vsyscall] */
	LM_KIND_SPECIAL,	/* any other special mapping name */
	LM_KIND_ANON_NAMED,	/* [anon:<name>] */
	LM_KIND_ANON,		/* plain anonymous memory */
	LM_KIND_NR
};

/*
 * Why a record is not one VMA with the record before it in its group:
 * the first rule of the kernel's VMA merge rules that keeps them apart.
 */
enum lm_merge {
	LM_MERGE_FIRST,		/* first record of its group */
	LM_MERGE_HOLE,		/* not adjacent */
	LM_MERGE_SPECIAL,	/* VM_SPECIAL: pfnmap, io, mixedmap... */
	LM_MERGE_MEMPOLICY,	/* different NUMA policy */
	LM_MERGE_FLAGS,		/* vm_flags differ (see ->merge_diff) */
	LM_MERGE_FILE,		/* a different struct file */
	LM_MERGE_CLOSE,		/* vm_ops->close: never merged away */
	LM_MERGE_UFFD,		/* different userfaultfd context */
	LM_MERGE_ANON_NAME,	/* different anon name */
	LM_MERGE_ANON_VMA,	/* different anon_vma */
	LM_MERGE_OFFSET,	/* file offsets not contiguous */
	LM_MERGE_MERGEABLE,	/* no rule keeps them apart */
	LM_MERGE_NR
};

/* What a record is for. */
enum lm_role {
	LM_ROLE_TEXT, LM_ROLE_RODATA, LM_ROLE_RELRO, LM_ROLE_DATA, LM_ROLE_BSS,
	LM_ROLE_GAP, LM_ROLE_HEAP, LM_ROLE_STACK, LM_ROLE_VDSO, LM_ROLE_VVAR,
	LM_ROLE_VSYSCALL, LM_ROLE_SPECIAL, LM_ROLE_ANON_NAMED, LM_ROLE_ANON,
	LM_ROLE_SHMEM, LM_ROLE_MEMFD, LM_ROLE_HUGETLB, LM_ROLE_DEVICE,
	LM_ROLE_FILE, LM_ROLE_NR
};

/*
 * What a VMA costs, as smaps counts it (walk.c), in bytes; pss and
 * swap_pss and pss_locked in smaps' fixed point (bytes << 12), so that sums round as
 * smaps_rollup rounds.
 */
struct lm_mem {
	u64 rss;
	u64 pss;
	u64 anon;
	u64 shared_clean;
	u64 shared_dirty;
	u64 private_clean;
	u64 private_dirty;
	u64 swap;
	u64 swap_pss;
	u64 pss_locked;
};

/* Large folio orders the mthp= counts tell apart: 1 to the PMD order. */
#define LM_MTHP_ORDERS	(PMD_SHIFT - PAGE_SHIFT)

/* The facts about one VMA, copied under the mmap lock. */
struct lm_vma {
	unsigned long start;
	unsigned long end;
	unsigned long pgoff;	/* vm_pgoff for file mappings, else 0 */
	vm_flags_t flags;
	struct file *file;	/* a reference, dropped by snapshot release */
	const char *name;	/* kstrdup()ed special or anon name, or NULL */
	unsigned long thp_orders; /* huge page orders that may back it */
	unsigned long pagesize;	/* as smaps' KernelPageSize */
	unsigned long pmd;	/* PMD-mapped huge pages right now */
	u32 mthp[LM_MTHP_ORDERS]; /* PTE-mapped large folios, by order - 1 */
	unsigned long cont;	/* PTEs with the contiguous bit (arm64) */
	struct lm_mem mem;	/* what it costs right now */
	vm_flags_t merge_diff;	/* LM_MERGE_FLAGS: the flags that differ */
	bool anon_vma;		/* has an anon_vma: pages were written */
	bool after_data;	/* right after private writable file data */
	u8 kind;		/* enum lm_kind */
	u8 thp_why;		/* enum lm_thp_why */
	u8 merge;		/* enum lm_merge, against the VMA before */
	u8 role;		/* enum lm_role, set by lm_groups_build() */
};

struct lm_snapshot {
	pid_t pid;		/* as the reader's pid namespace sees it */
	char comm[TASK_COMM_LEN];
	bool has_mm;		/* false: kernel thread or exited mm */
	unsigned int nr;	/* VMAs copied */
	unsigned int cap;	/* VMAs allocated */
	struct lm_vma *vmas;	/* nr of them, in address order */
	bool vma_locks;		/* copied and walked under per-VMA locks */
	bool changed;		/* ... while the map changed: not one state */
	bool ranged;		/* of [range_start, range_end] only */
	unsigned long range_start;
	unsigned long range_end;
	unsigned int map_vmas;	/* the whole map's VMAs then, if ranged */
	unsigned long map_size;	/* ... and their bytes (total_vm) */
	/* where the time of the last open went, in ns (lm_view_render()) */
	u64 thp_ns;		/* reading the THP settings */
	u64 copy_ns;		/* copying the VMAs, under the lock */
	u64 walk_ns;		/* walking their page tables */
};

/* snapshot.c */
int lm_snapshot_take(struct task_struct *task, pid_t pid,
		     const struct libmaps_range *range, struct lm_snapshot *snap);
void lm_snapshot_put_refs(struct lm_snapshot *snap);
void lm_snapshot_release(struct lm_snapshot *snap);

/* per-VMA reads, where LM_HAVE_VMA_READ */
struct vm_area_struct *lm_vma_try_read_next(struct mm_struct *mm,
					    unsigned long addr);
struct vm_area_struct *lm_vma_read_next(struct mm_struct *mm,
					unsigned long addr);

/* walk.c */
/*
 * PMD tables a page-table walk goes through, across records, between two
 * looks at whether a writer waits for the mmap lock: 64 of 512 entries are
 * 128 MiB of address space mapped by 4 KiB pages, or 64 small VMAs; as
 * many entries with bigger pages (16 of 2048 with arm64's 16 KiB), so
 * that the CPU is offered as often whatever the page size; but it looks
 * once LM_WALK_NS passed too, so that a writer does not wait for a
 * batch of full tables.
 */
#define LM_WALK_BATCH	(64 * 512 / PTRS_PER_PTE)
#define LM_WALK_NS	NSEC_PER_MSEC

int lm_snapshot_walk(struct mm_struct *mm, struct lm_vma *vmas, unsigned int nr);
int lm_record_walk_vma(struct mm_struct *mm, struct vm_area_struct *vma,
		       struct lm_vma *v);
extern atomic_long_t lm_walk_yields, lm_vma_walk_yields;
void lm_mem_sum(struct lm_mem *sum, const struct lm_mem *mem);

/* annotate.c */
struct lm_group {
	enum lm_kind kind;
	unsigned int first;	/* index of the first member in ->order */
	unsigned int nr;
	unsigned long size;
	unsigned long huge;	/* bytes mapped by PMD-sized huge pages */
	struct lm_mem mem;	/* the sums of its records' */
};

struct lm_groups {
	const struct lm_vma **order;	/* VMAs, grouped, groups in view order */
	struct lm_group *groups;
	unsigned int nr;
	struct lm_mem mem;		/* the whole process's */
};

int lm_groups_build(struct lm_snapshot *snap, struct lm_groups *g);
enum lm_merge lm_merge_rule(struct vm_area_struct *prev,
			    struct vm_area_struct *vma, vm_flags_t *diff);
const char *lm_merge_name(enum lm_merge merge);
const char *lm_role_name(enum lm_role role);
void lm_groups_release(struct lm_groups *g);
const char *lm_kind_name(enum lm_kind kind);
bool lm_kind_has_inode(enum lm_kind kind);

/* format.c */
struct lm_text;

void lm_format_init(void);
struct lm_text *lm_view_render(struct task_struct *task, pid_t pid,
			       const struct libmaps_range *range);
ssize_t lm_text_read(struct lm_text *text, char __user *buf,
		     size_t count, loff_t *ppos);
loff_t lm_text_known(struct lm_text *text);
loff_t lm_text_reach(struct lm_text *text, loff_t to);
void lm_text_free(struct lm_text *text);

/* shmem.c */
int lm_shmem_init(void);
bool lm_shmem_file(struct file *file);
bool lm_vma_is_anon_shmem(struct vm_area_struct *vma);
bool lm_vma_is_shmem_ops(struct vm_area_struct *vma);
bool lm_file_is_memfd(struct file *file);

/* fs.c */
int lm_fs_init(void);
void lm_fs_exit(void);

#endif /* _LIBMAPS_H */
