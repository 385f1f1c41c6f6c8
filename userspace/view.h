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
#include <sys/types.h>

#define LM_DEBUGFS	"/sys/kernel/debug/libmaps"

struct lm_group;

struct lm_rec {
	unsigned long start, end;
	char perms[5];
	unsigned long long offset;
	unsigned long long flags;	/* raw vm_flags; unknown from smaps */
	bool has_flags;
	char *decoded;			/* comma-separated mnemonics */
	char *role;			/* the module's (or smaps-derived) role */
	int thp;			/* 1, 0, or -1 unknown */
	char *thp_reason;		/* NULL: unknown */
	char *thp_sizes;		/* NULL: absent */
	long pmd;			/* -1: unknown */
	unsigned long pagesize_kb;
	char *merge;			/* NULL: unknown */

	/* Filled by elf.c: the ELF segment the record comes from. */
	char *elf_role;			/* NULL: no ELF verdict */
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
	char *kind;
	char *name;			/* as /proc/<pid>/maps writes it */
	bool has_inode;
	unsigned int major, minor;
	unsigned long long ino;
	unsigned long records;
	unsigned long long size, huge;	/* huge: bytes; -1ULL unknown */
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
	struct lm_rec *recs;		/* every record, by address */
	size_t nr;
	struct lm_group *groups;	/* in the view's order */
	size_t ngroups;
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

void lm_proc_free(struct lm_proc *p);

/* Read a whole file; NULL with errno set on failure.  Free the result. */
char *lm_slurp(const char *path, size_t *len);

/* The role a record is finally shown with: ELF's if it has one. */
static inline const char *lm_role(const struct lm_rec *r)
{
	return r->elf_role ? r->elf_role : r->role;
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
