/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the libmaps view and the kernel's own /proc/<pid>/maps and smaps
 * for one process, and comparing them.  The kernel's files are the oracle:
 * nothing here trusts a value libmaps computed.
 */
#ifndef LM_VIEW_H
#define LM_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LM_DEBUGFS	"/sys/kernel/debug/libmaps"
#define LM_MAX_RECS	4096
#define LM_NAME_MAX	512
#define LM_FLAGS_MAX	32

/*
 * What a record costs: the view's keys, smaps' lines (kB there, bytes in
 * the view; pss, swap_pss and locked truncated from smaps' fixed point
 * both ways: lm_mem_fixed()).
 */
enum {
	LM_MEM_RSS, LM_MEM_PSS, LM_MEM_ANON, LM_MEM_SHARED_CLEAN, LM_MEM_SHARED_DIRTY,
	LM_MEM_PRIVATE_CLEAN, LM_MEM_PRIVATE_DIRTY, LM_MEM_SWAP, LM_MEM_SWAP_PSS,
	LM_MEM_LOCKED, LM_MEM_NR
};
#define lm_mem_fixed(i)	((i) == LM_MEM_PSS || (i) == LM_MEM_SWAP_PSS || (i) == LM_MEM_LOCKED)
extern const char * const lm_mem_keys[LM_MEM_NR];	/* "rss", ... */
extern const char * const lm_mem_smaps[LM_MEM_NR];	/* "Rss:", ... */

/*
 * Set by a test whose target is stopped: lm_compare() then compares the
 * memory fields of every record, and the header's totals.  (A
 * running process, the test itself included, faults pages in between.)
 */
extern bool lm_compare_memory;
/*
 * ... and the header with smaps_rollup too (else with the sums of smaps'
 * VMAs only): on 6.1 the sampler saw smaps_rollup far below the sum of
 * smaps for transhuge-stress, on every re-read, so only the test that
 * builds its target itself asks for it.
 */
extern bool lm_compare_rollup;

/* One line of /proc/<pid>/maps, with what smaps adds for the same range. */
struct lm_maps_rec {
	unsigned long start, end;
	char perms[5];
	unsigned long long offset;
	unsigned int major, minor;
	unsigned long long ino;
	char name[LM_NAME_MAX];
	/* from smaps */
	char vmflags[LM_FLAGS_MAX][3];
	int nr_vmflags;
	int thp_eligible;		/* -1: no THPeligible line */
	long kernel_page_kb;		/* KernelPageSize, -1 if absent */
	long pmd_kb;			/* AnonHugePages+ShmemPmdMapped+FilePmdMapped */
	long mem_kb[LM_MEM_NR];		/* -1 if absent */
};

/* One record of the libmaps view, with its group's facts. */
struct lm_view_rec {
	unsigned long start, end;
	char perms[5];
	unsigned long long offset;
	unsigned long size;
	unsigned long long flags;
	char decoded[64][8];
	int nr_decoded;
	int thp;
	char thp_reason[32];
	char thp_sizes[128];		/* empty if absent */
	char mthp[256];			/* the mthp= list, as written */
	unsigned long cont;		/* cont=: bytes under contiguous PTEs */
	char role[16];
	char merge[64];
	unsigned long pmd;
	unsigned long pagesize_kb;
	bool has_mem;
	unsigned long long mem[LM_MEM_NR];	/* bytes */
	/* from the group line */
	char kind[16];
	bool has_inode;
	unsigned int major, minor;
	unsigned long long ino;
	char name[LM_NAME_MAX];
	int group;			/* index of the group in the view */
	unsigned long group_huge;	/* the group's huge= */
};

struct lm_view {
	int version;
	int pid;
	unsigned int vmas, groups;
	char comm[64];
	bool nomm;
	bool changed;		/* state=changed: not one state of the map */
	bool ranged;		/* range=START-END: LIBMAPS_IOC_RANGE's view */
	unsigned long range_start, range_end;
	unsigned int map_vmas;	/* map_vmas=, with range= */
	unsigned long map_size;	/* map_size=, with range= */
	bool has_mem;
	unsigned long long mem[LM_MEM_NR];	/* the header's, bytes */
	int nr;
	struct lm_view_rec recs[LM_MAX_RECS];
};

struct lm_maps {
	int nr;
	struct lm_maps_rec recs[LM_MAX_RECS];
};

/*
 * Parsers return 0, or -1 with a message in lm_error.  The view parser
 * also checks the view's own invariants (Documentation/view.rst).
 */
extern __thread char lm_error[512];

ssize_t lm_read_file(const char *path, char *buf, size_t size);
int lm_parse_view(const char *text, struct lm_view *v);
int lm_parse_maps(const char *text, struct lm_maps *m);
int lm_parse_smaps(const char *text, struct lm_maps *m);

/*
 * Read /proc/<pid>/maps, the view and smaps of @pid (0: self) so that
 * the address space did not change in between, parse and compare them
 * record by record.  Returns the number of mismatches, each described
 * by a line written to stderr, or -1 if the files could not be read.
 */
int lm_compare(pid_t pid, struct lm_view *v, struct lm_maps *m);

/*
 * A mapping of @size at an address aligned to @align (mmap(2)'s @prot,
 * @flags and @fd), between two PROT_NONE pages so that it cannot merge
 * with a neighbour, or MAP_FAILED.
 */
void *lm_map_aligned(size_t size, size_t align, int prot, int flags, int fd);
/*
 * What the view's mthp= should say of [@start, @end) of @pid, from its
 * pagemap and /proc/kpageflags (root): each run of pages of one compound
 * page, counted by its order, "<size>K:<n>" largest first.  lm_compare()
 * checks every record with lm_compare_memory (but records with PMD
 * mappings, which pagemap does not tell from PTE-mapped ones).
 */
int lm_mthp_expected(pid_t pid, unsigned long start, unsigned long end, char *out,
		     size_t size);
/*
 * The block arm64 maps with its contiguous bit (CONT_PTES pages: 64 KiB
 * with 4 KiB pages, 2 MiB with 16 KiB and 64 KiB pages), by the
 * architecture's definition; 0 where there is no such bit (x86_64).
 */
unsigned long lm_cont_size(void);
/*
 * The most of [@start, @end) of @pid the kernel may map with contiguous
 * PTEs, from pagemap and kpageflags, into @bytes: the pages in aligned
 * blocks of lm_cont_size() whose pages (in or out of the range) are all
 * present, of one folio, at consecutive PFNs from an aligned one: the
 * only blocks arm64's contpte_set_ptes() and contpte_try_fold() mark.
 */
int lm_cont_bound(pid_t pid, unsigned long start, unsigned long end, unsigned long *bytes);

/* The view record that starts at @start, or NULL. */
struct lm_view_rec *lm_view_find(struct lm_view *v, unsigned long start);
/* Index of the maps record that starts at @start, or -1. */
int lm_maps_find(const struct lm_maps *m, unsigned long start);
/* Index of the first maps record whose name ends with @suffix, or -1. */
int lm_maps_find_name(const struct lm_maps *m, const char *suffix, int from);
bool lm_view_has_flag(const struct lm_view_rec *r, const char *mnemonic);

/*
 * The THP knobs under LM_THP_DIR (@knob relative to it, e.g. "enabled",
 * "hugepages-2048kB/shmem_enabled").  lm_knob_get() gives the [current]
 * choice (or the whole text of a knob without choices); lm_knob_set()
 * returns -1 if the kernel refuses the value; lm_knob_offers() says
 * whether @value is one of the knob's choices.
 */
#define LM_THP_DIR	"/sys/kernel/mm/transparent_hugepage/"
int lm_knob_get(const char *knob, char *out, size_t size);
int lm_knob_set(const char *knob, const char *value);
bool lm_knob_offers(const char *knob, const char *value);

/*
 * fork(), with the child killed when the parent dies (PR_SET_PDEATHSIG),
 * so that a paused child never outlives a test that crashed.
 */
pid_t lm_fork(void);

/*
 * The running kernel's PMD size: hpage_pmd_size, or without THP what one
 * page table maps with this page size (2 MiB with 4 KiB pages, 32 MiB
 * with 16 KiB, 512 MiB with 64 KiB).  Tests size and align their huge
 * page regions by it, never by 2 MiB.
 */
unsigned long lm_pmd_size(void);
/*
 * The PMD size's per-size THP knob, "hugepages-<size>kB/@leaf"
 * ("hugepages-2048kB/enabled" with 4 KiB pages); one of a few static
 * buffers, used in turn.
 */
const char *lm_pmd_knob(const char *leaf);
/* The default hugetlb page size (/proc/meminfo's Hugepagesize), or 0. */
unsigned long lm_hugetlb_size(void);
/* One PMD of the running kernel, and two: room for a PMD-aligned one. */
#define LM_PMD		lm_pmd_size()
#define LM_2PMD		(2 * lm_pmd_size())

/* Is the running kernel @major.@minor or later (uname)? */
bool lm_kernel_at_least(int major, int minor);

#endif /* LM_VIEW_H */
