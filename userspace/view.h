/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The libmaps view of one process, as the module serves it
 * (Documentation/view.rst), or as much of it as /proc/<pid>/smaps tells
 * when the module is not loaded.
 */
#ifndef LIBMAPS_VIEW_H
#define LIBMAPS_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#define LM_DEBUGFS	"/sys/kernel/debug/libmaps"

struct lm_group;
struct lm_strings;

/*
 * What memory costs, with smaps' meaning, in bytes (smaps' kB x 1024).  A
 * view from before the module counted memory, or one whose module does
 * not count swap yet, lacks some fields: each is known or not on its own.
 */
enum lm_mem {
	LM_MEM_RSS,
	LM_MEM_PSS,
	LM_MEM_ANON,
	LM_MEM_SHARED_CLEAN,
	LM_MEM_SHARED_DIRTY,
	LM_MEM_PRIVATE_CLEAN,
	LM_MEM_PRIVATE_DIRTY,
	LM_MEM_SWAP,
	LM_MEM_SWAP_PSS,
	LM_MEM_LOCKED,
	LM_NR_MEM
};

#define LM_MEM_BIT(m)	(1U << (m))
#define LM_MEM_ALL	(LM_MEM_BIT(LM_NR_MEM) - 1)

struct lm_mem_stats {
	unsigned long long v[LM_NR_MEM];
	unsigned int known;		/* LM_MEM_BIT()s of the known fields */
};

/* The view's key of @m ("shared_clean"), and smaps' ("Shared_Clean"). */
const char *lm_mem_view_key(enum lm_mem m);
const char *lm_mem_smaps_key(enum lm_mem m);

/* An empty sum: every field known, 0. */
static inline void lm_mem_zero(struct lm_mem_stats *s)
{
	for (int i = 0; i < LM_NR_MEM; i++)
		s->v[i] = 0;
	s->known = LM_MEM_ALL;
}

/* Add @x to @sum; a field unknown in either is unknown in the sum. */
static inline void lm_mem_add(struct lm_mem_stats *sum, const struct lm_mem_stats *x)
{
	for (int i = 0; i < LM_NR_MEM; i++)
		sum->v[i] += x->v[i];
	sum->known &= x->known;
}

/*
 * The sum of the fields in @mask into @v; false if one of them is
 * unknown (@v is then 0).
 */
static inline bool lm_mem_get(const struct lm_mem_stats *s, unsigned int mask,
			      unsigned long long *v)
{
	*v = 0;
	if ((s->known & mask) != mask)
		return false;
	for (int i = 0; i < LM_NR_MEM; i++)
		if (mask & LM_MEM_BIT(i))
			*v += s->v[i];
	return true;
}

/*
 * The view's vocabularies, typed: a record's role, a group's kind, the
 * head of a merge reason ("flags" of "flags:wr") and a THP reason, named
 * as the module names them (module/annotate.c, module/thp.c).  The parser
 * looks each name up once; one this tool does not know (a newer module's)
 * is *_OTHER, and is still shown as the view wrote it.
 */
enum lm_role_id {
	LM_ROLE_OTHER,
	LM_ROLE_TEXT,
	LM_ROLE_RODATA,
	LM_ROLE_RELRO,
	LM_ROLE_DATA,
	LM_ROLE_BSS,
	LM_ROLE_GAP,
	LM_ROLE_HEAP,
	LM_ROLE_STACK,
	LM_ROLE_VDSO,
	LM_ROLE_VVAR,
	LM_ROLE_VSYSCALL,
	LM_ROLE_SPECIAL,
	LM_ROLE_ANON_NAMED,
	LM_ROLE_ANON,
	LM_ROLE_SHMEM,
	LM_ROLE_MEMFD,
	LM_ROLE_HUGETLB,
	LM_ROLE_DEVICE,
	LM_ROLE_FILE,
	LM_NR_ROLES
};

enum lm_kind_id {
	LM_KIND_OTHER,
	LM_KIND_FILE,
	LM_KIND_ANON_SHMEM,
	LM_KIND_HEAP,
	LM_KIND_STACK,
	LM_KIND_VDSO,
	LM_KIND_VVAR,
	LM_KIND_VSYSCALL,
	LM_KIND_SPECIAL,
	LM_KIND_ANON_NAMED,
	LM_KIND_ANON,
	LM_NR_KINDS
};

enum lm_merge_id {
	LM_MERGE_OTHER,
	LM_MERGE_FIRST,
	LM_MERGE_HOLE,
	LM_MERGE_SPECIAL,
	LM_MERGE_MEMPOLICY,
	LM_MERGE_FLAGS,
	LM_MERGE_FILE,
	LM_MERGE_CLOSE,
	LM_MERGE_UFFD,
	LM_MERGE_ANON_NAME,
	LM_MERGE_ANON_VMA,
	LM_MERGE_OFFSET,
	LM_MERGE_MERGEABLE,
	LM_NR_MERGES
};

enum lm_thp_id {
	LM_THP_OTHER,
	LM_THP_ELIGIBLE,
	LM_THP_NOT_BUILT,
	LM_THP_NO_SYSFS,
	LM_THP_NO_MM,
	LM_THP_HW,
	LM_THP_NOHUGEPAGE,
	LM_THP_PRCTL,
	LM_THP_PRCTL_ADVISED,
	LM_THP_DAX,
	LM_THP_SPECIAL,
	LM_THP_MISALIGNED,
	LM_THP_TOO_SMALL,
	LM_THP_SHMEM_NOT_REGULAR,
	LM_THP_SHMEM_DENY,
	LM_THP_SHMEM_NEVER,
	LM_THP_SHMEM_ADVISE,
	LM_THP_SHMEM_WITHIN_SIZE,
	LM_THP_SHMEM_NO_SIZE,
	LM_THP_SYSFS_NEVER,
	LM_THP_SYSFS_MADVISE,
	LM_THP_NO_SIZE,
	LM_THP_NO_FILE,
	LM_THP_FILE,
	LM_THP_FILE_NOEXEC,
	LM_THP_FILE_ANON_INODE,
	LM_THP_FILE_WRITABLE,
	LM_THP_FILE_NOT_REGULAR,
	LM_THP_STACK,
	LM_NR_THPS
};

/* The names, indexed by id ("" for *_OTHER). */
extern const char *const lm_role_names[LM_NR_ROLES];
extern const char *const lm_kind_names[LM_NR_KINDS];
extern const char *const lm_merge_names[LM_NR_MERGES];
extern const char *const lm_thp_names[LM_NR_THPS];

/* The id of the first @len bytes of @name among @n @names; 0 if none. */
int lm_vocab_id(const char *const *names, int n, const char *name, size_t len);

#define LM_ROLE_ID(name)	((enum lm_role_id)lm_vocab_id(lm_role_names, \
					LM_NR_ROLES, name, strlen(name)))
#define LM_KIND_ID(name)	((enum lm_kind_id)lm_vocab_id(lm_kind_names, \
					LM_NR_KINDS, name, strlen(name)))

struct lm_rec {
	unsigned long start, end;
	char perms[5];
	unsigned long long offset;
	unsigned long long flags;	/* raw vm_flags; unknown from smaps */
	bool has_flags;
	const char *decoded;		/* comma-separated mnemonics */
	const char *role;		/* the module's (or smaps-derived) role */
	enum lm_role_id role_id;
	int thp;			/* 1, 0, or -1 unknown */
	const char *thp_reason;		/* NULL: unknown */
	enum lm_thp_id thp_id;		/* of @thp_reason */
	const char *thp_sizes;		/* NULL: absent */
	long pmd;			/* -1: unknown */
	unsigned long pagesize_kb;
	const char *merge;		/* NULL: unknown */
	enum lm_merge_id merge_id;	/* of its head, before any ':' */
	struct lm_mem_stats mem;
	const char *mthp;		/* "64K:12,16K:3"; "": none; NULL: unknown */
	long long cont;			/* bytes under contiguous PTEs; -1: unknown */

	/* Filled by elf.c: the ELF segment the record comes from. */
	const char *elf_role;		/* NULL: no ELF verdict; a name of */
	enum lm_role_id elf_role_id;	/* ... lm_role_names[] */
	char *segment;			/* "LOAD[1] R E", "gap LOAD[0]..LOAD[1]" */
	char *elf_note;			/* why ELF said so, for --explain */

	struct lm_group *group;		/* the group the module put it in */
	struct lm_group *lib;		/* file group a bss record belongs to */
	/*
	 * With @lib: where the library's part of the record ends.  Below
	 * @end when ELF says the bss is shorter than the record (anonymous
	 * memory mapped right after it was merged into the same VMA).
	 */
	unsigned long lib_end;
};

struct lm_group {
	const char *kind;
	enum lm_kind_id kind_id;
	const char *name;		/* as /proc/<pid>/maps writes it */
	bool has_inode;
	unsigned int major, minor;
	unsigned long long ino;
	unsigned long records;
	unsigned long long size, huge;	/* huge: bytes; -1ULL unknown */
	struct lm_mem_stats mem;	/* the group line's; smaps: the records' sum */
	struct lm_rec **recs;		/* the group's records, by address */
	size_t nr;
	struct lm_rec **extra;		/* bss records attached by the tool */
	size_t nr_extra;
	char *elf_status;		/* NULL: ELF read; else why not */
};

struct lm_proc {
	pid_t pid;
	char *comm;
	bool nomm;
	bool from_smaps;		/* the fallback: no merge/THP reasons */
	bool changed;			/* state=changed: not one state of the map */
	bool ranged;			/* range=: LIBMAPS_IOC_RANGE's view */
	unsigned long long map_vmas;	/* with range=: the whole map's VMAs */
	unsigned long long map_size;	/* ... and their bytes */
	struct lm_mem_stats mem;	/* the header's; smaps: the records' sum */
	struct lm_rec *recs;		/* every record, by address */
	size_t nr;
	struct lm_group *groups;	/* in the view's order */
	size_t ngroups;
	/*
	 * The records' and groups' strings (role, merge, name ...), each
	 * distinct one stored once and all freed with the view.
	 */
	struct lm_strings *strings;
};

/*
 * Parse the text of a view into @p.  Returns 0, or -1 with a message in
 * @err (the input is malformed, or of a format version this tool does
 * not know).
 */
int lm_parse_view(const char *text, struct lm_proc *p, char *err, size_t errlen);

/*
 * Build @p from the text of /proc/<pid>/smaps: records, groups, decoded
 * flags, THPeligible, page size and PMD backing; merge and THP reasons
 * stay unknown.
 */
int lm_parse_smaps(const char *text, pid_t pid, struct lm_proc *p,
		   char *err, size_t errlen);

/*
 * Attach each record whose role is bss to the file group whose writable
 * data record it directly follows.  This is the module's guess by
 * adjacency; each such record is labelled "not checked against ELF" until
 * lm_elf_refine() confirms it from the file's PT_LOAD headers or detaches
 * it.
 */
void lm_attach_bss(struct lm_proc *p);

/*
 * What the library (or other group) @g costs as the tool shows it: the
 * group's totals, less its records the tool moved to a library (bss),
 * plus the bss records it attached to @g.  A bss record that also holds
 * other anonymous memory (lm_lib_size() below its size) is left out:
 * which of its pages are the bss's nobody can tell, and the record shows
 * them on its own line.
 */
void lm_group_mem(const struct lm_group *g, struct lm_mem_stats *out);

void lm_proc_free(struct lm_proc *p);

/* Read a whole file; NULL with errno set on failure.  Free the result. */
char *lm_slurp(const char *path, size_t *len);

/* The role a record is finally shown with: ELF's if it has one. */
static inline const char *lm_role(const struct lm_rec *r)
{
	return r->elf_role ? r->elf_role : r->role;
}

/* The role of lm_role(), typed. */
static inline enum lm_role_id lm_role_id(const struct lm_rec *r)
{
	return r->elf_role ? r->elf_role_id : r->role_id;
}

static inline bool lm_group_is_file(const struct lm_group *g)
{
	return g->has_inode && g->name[0] == '/';
}

/* The bytes of @r that count for its library (all of it if it has none). */
static inline unsigned long lm_lib_size(const struct lm_rec *r)
{
	return (r->lib ? r->lib_end : r->end) - r->start;
}

/* A bss record no ELF header has confirmed: only the module's guess. */
static inline bool lm_bss_guess(const struct lm_rec *r)
{
	return r->lib && !r->elf_role;
}

#endif /* LIBMAPS_VIEW_H */
