// SPDX-License-Identifier: GPL-2.0
/*
 * --explain: paragraphs, generated from the real view, that answer "why
 * are there N records for this library" the way a kernel developer would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "model.h"
#include "xalloc.h"

struct text {
	const char *key, *text;
};

static const char *lookup(const struct text *t, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].key, key))
			return t[i].text;
	return NULL;
}

#define LOOKUP(table, key) lookup(table, sizeof(table) / sizeof(*(table)), key)

static const char *const thp_texts[LM_NR_THPS] = {
	[LM_THP_ELIGIBLE] = "transparent huge pages may back it",
	[LM_THP_NOT_BUILT] = "the kernel is built without transparent huge pages",
	[LM_THP_NO_SYSFS] = "the THP settings could not be read from sysfs",
	[LM_THP_NO_MM] = "it is a special mapping without an address space",
	[LM_THP_HW] = "the CPU or firmware cannot map huge pages",
	[LM_THP_NOHUGEPAGE] = "the program asked for no huge pages (madvise MADV_NOHUGEPAGE)",
	[LM_THP_PRCTL] = "the process disabled THP with prctl(PR_SET_THP_DISABLE)",
	[LM_THP_PRCTL_ADVISED] = "the process disabled THP except where madvise()d, and this record was not",
	[LM_THP_DAX] = "it is DAX memory, which only the fault path maps huge",
	[LM_THP_SPECIAL] = "it is a PFN, I/O, mixed or hugetlb mapping, which THP never backs",
	[LM_THP_MISALIGNED] = "its file offset does not line up with its address for any huge page size",
	[LM_THP_TOO_SMALL] = NULL,	/* with this kernel's PMD size: thp_too_small() */
	[LM_THP_SHMEM_NOT_REGULAR] = "it is shmem but not a regular file",
	[LM_THP_SHMEM_DENY] = "shmem_enabled is 'deny'",
	[LM_THP_SHMEM_NEVER] = "the tmpfs mount (or shmem_enabled) says huge=never",
	[LM_THP_SHMEM_ADVISE] = "the tmpfs mount says huge=advise and the record was not madvise()d",
	[LM_THP_SHMEM_WITHIN_SIZE] = "the tmpfs mount says huge=within_size and the record reaches past the end of the file",
	[LM_THP_SHMEM_NO_SIZE] = "no hugepages-<size>/shmem_enabled setting allows a size for shared anonymous memory",
	[LM_THP_SYSFS_NEVER] = "transparent_hugepage/enabled is 'never'",
	[LM_THP_SYSFS_MADVISE] = "transparent_hugepage/enabled is 'madvise' and the record was not madvise()d with MADV_HUGEPAGE",
	[LM_THP_NO_SIZE] = "no hugepages-<size>/enabled setting allows a size",
	[LM_THP_NO_FILE] = "it is neither anonymous memory nor a file the page cache can hold huge",
	[LM_THP_FILE] = "the page cache of this file cannot hold huge pages (read-only file THP is off, or the filesystem has no large folios)",
	[LM_THP_FILE_NOEXEC] = "read-only file THP is only for executable mappings",
	[LM_THP_FILE_ANON_INODE] = "it is backed by an anonymous inode (secretmem)",
	[LM_THP_FILE_WRITABLE] = "the file is open for writing somewhere, so read-only file THP cannot apply",
	[LM_THP_FILE_NOT_REGULAR] = "the file is not a regular file",
	[LM_THP_STACK] = "it is the stack of an exec that has not finished",
};

/* "...huge page (2 MiB)...": this kernel's PMD size, 32 MiB with 16 KiB pages. */
static const char *thp_too_small(void)
{
	static char text[96];

	if (!text[0]) {
		unsigned long long kib = lm_pmd_size() ? lm_pmd_size() >> 10 : 2048;

		if (kib % 1024)
			snprintf(text, sizeof(text),
				 "no naturally aligned huge page (%llu KiB) fits inside it", kib);
		else
			snprintf(text, sizeof(text),
				 "no naturally aligned huge page (%llu MiB) fits inside it", kib >> 10);
	}
	return text;
}

const char *lm_thp_reason_text(enum lm_thp_id reason)
{
	const char *t = reason == LM_THP_TOO_SMALL ? thp_too_small() : thp_texts[reason];

	return t ? t : "the module did not say why (unknown reason)";
}

static const struct text flag_texts[] = {
	{ "rd", "readable" }, { "wr", "writable" }, { "ex", "executable" },
	{ "sh", "shared" }, { "mr", "may become readable" },
	{ "mw", "may become writable" }, { "me", "may become executable" },
	{ "ms", "may become shared" }, { "gd", "grows down" },
	{ "pf", "PFN mapping" }, { "dw", "writes to the file denied" },
	{ "lo", "locked (mlock)" }, { "io", "I/O memory" },
	{ "sr", "sequential read advised" }, { "rr", "random read advised" },
	{ "dc", "not copied on fork (MADV_DONTFORK)" },
	{ "de", "not expandable by mremap" },
	{ "ac", "accounted: counted against the commit limit because it is, or was, writable private memory" },
	{ "nr", "no swap reserve" }, { "ht", "hugetlb" },
	{ "sf", "synchronous page faults" }, { "ar", "architecture-specific" },
	{ "bt", "branch targets guarded (arm64 BTI)" },
	{ "mt", "memory tagging on (arm64 MTE)" },
	{ "wf", "wiped on fork" }, { "dd", "not in core dumps" },
	{ "sd", "soft-dirty" }, { "mm", "mixed map" },
	{ "hg", "huge pages advised (MADV_HUGEPAGE)" },
	{ "nh", "no huge pages (MADV_NOHUGEPAGE)" },
	{ "mg", "mergeable by KSM" }, { "um", "userfaultfd missing-page tracking" },
	{ "uw", "userfaultfd write-protect tracking" },
	{ "ui", "userfaultfd minor-fault tracking" }, { "ss", "shadow stack" },
	{ "sl", "sealed (mseal)" }, { "lf", "locked on fault" },
	{ "gu", "has guard regions" },
};

const char *lm_flag_text(const char *mnemonic)
{
	const char *t = LOOKUP(flag_texts, mnemonic);

	return t ? t : "an architecture or kernel-specific bit";
}

static const char *const role_texts[LM_NR_ROLES] = {
	[LM_ROLE_TEXT] = "code: the library's executable instructions. Nobody writes these pages, so they stay in the page cache, shared with every process that maps the file",
	[LM_ROLE_RODATA] = "read-only data: the ELF headers, symbol and string tables and constants. Never written, so these pages too stay shared through the page cache",
	[LM_ROLE_RELRO] = "RELRO: data the dynamic loader had to write while relocating the library (the GOT, vtables, pointers inside constant data) and then made read-only with mprotect(), so that a bug cannot overwrite it later. Because it was written, its pages are this process's own private copies, no longer the file's",
	[LM_ROLE_DATA] = "writable data: the library's initialised global variables. Private copy-on-write: a page is the file's, shared, until the process first writes to it and gets its own copy",
	[LM_ROLE_BSS] = "bss: the zero-initialised rest of the data segment. It has no bytes in the file, so the loader maps anonymous memory for it, which is why /proc/<pid>/maps shows this record without a file name",
	[LM_ROLE_GAP] = "a no-access reservation between two segments: nothing may read, write or execute it",
	[LM_ROLE_HEAP] = "the heap",
	[LM_ROLE_STACK] = "the main thread's stack",
	[LM_ROLE_VDSO] = "the vDSO, code the kernel provides for fast system calls",
	[LM_ROLE_VVAR] = "data the kernel shares with the vDSO",
	[LM_ROLE_ANON] = "anonymous memory",
	[LM_ROLE_ANON_NAMED] = "named anonymous memory",
	[LM_ROLE_SHMEM] = "shared memory (tmpfs)",
	[LM_ROLE_MEMFD] = "a memfd",
	[LM_ROLE_HUGETLB] = "hugetlbfs memory",
	[LM_ROLE_DEVICE] = "device or driver memory",
	[LM_ROLE_FILE] = "a mapping of the file",
	[LM_ROLE_SPECIAL] = "a kernel special mapping",
};

static const char *role_text(const struct lm_rec *r)
{
	const char *t = role_texts[lm_role_id(r)];

	return t ? t : lm_role(r);
}

static void human(char *buf, size_t len, unsigned long long bytes)
{
	static const char units[] = "KMGT";
	double v = bytes / 1024.0;
	int u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu bytes", bytes);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (v == (unsigned long long)v)
		snprintf(buf, len, "%llu %ciB", (unsigned long long)v, units[u]);
	else
		snprintf(buf, len, "%.1f %ciB", v, units[u]);
}

/* Wrap @text at 76 columns, as one paragraph. */
void lm_para(FILE *out, const char *text)
{
	const char *s = text;
	int col = 0;

	while (*s) {
		const char *sp = strchr(s, ' ');
		int w = sp ? (int)(sp - s) : (int)strlen(s);

		if (col && col + 1 + w > 76) {
			fputc('\n', out);
			col = 0;
		} else if (col) {
			fputc(' ', out);
			col++;
		}
		fwrite(s, 1, w, out);
		col += w;
		s += w;
		while (*s == ' ')
			s++;
	}
	fputs("\n\n", out);
}

struct buf {
	char *s;
	size_t len;
	FILE *f;
};

static void buf_open(struct buf *b)
{
	b->s = NULL;
	b->f = lm_must(open_memstream(&b->s, &b->len));
}

static void buf_para(FILE *out, struct buf *b)
{
	fclose(b->f);
	lm_para(out, b->s);
	free(b->s);
}

/* "flags:wr+ac": the flags named, each explained; @list is ":wr+ac". */
static void flags_differ(FILE *f, const char *list)
{
	char *copy = xstrdup(list ? list + 1 : ""), *tok, *save = NULL;
	bool first = true;

	fputs("It is a record of its own because its vm_flags differ from the previous record's in:", f);
	for (tok = strtok_r(copy, "+", &save); tok;
	     tok = strtok_r(NULL, "+", &save)) {
		fprintf(f, "%s %s (%s)", first ? "" : ";", tok, lm_flag_text(tok));
		first = false;
	}
	fputs(". The kernel merges neighbouring VMAs only when their flags are equal. ", f);
	free(copy);
}

static void why_separate(FILE *f, const struct lm_rec *r, const struct lm_rec *prev)
{
	const char *m = r->merge;

	if (r->lib && prev) {
		fputs("It is separate from the data record before it because it maps no file. ", f);
		return;
	}
	if (!m)		/* without the module: said once, at the top */
		return;
	switch (r->merge_id) {
	case LM_MERGE_FIRST:
		return;
	case LM_MERGE_HOLE:
		fputs("It does not touch the record before it: other mappings lie between them. ", f);
		return;
	case LM_MERGE_FLAGS:
		flags_differ(f, strchr(m, ':'));
		return;
	case LM_MERGE_OFFSET:
		fputs("Its file offset does not continue where the previous record's ends, so the two cannot be one VMA. ", f);
		return;
	case LM_MERGE_FILE:
		fputs("It maps the same file through a different open file, and VMAs of different open files never merge. ", f);
		return;
	case LM_MERGE_ANON_VMA:
		fputs("Its private pages belong to a different anon_vma than the previous record's (for instance after a fork), which keeps them apart. ", f);
		return;
	case LM_MERGE_MERGEABLE:
		fputs("No kernel merge rule keeps it apart from the previous record: the kernel could have merged them, which is worth a closer look. ", f);
		return;
	default:
		fprintf(f, "The kernel keeps it apart from the previous record by its '%s' rule. ", m);
	}
}

#define MEM(x)	LM_MEM_BIT(LM_MEM_##x)

/* What a no-access gap costs: address space, and memory only if touched before. */
static void gap_memory(FILE *f, const struct lm_rec *r)
{
	unsigned long long rss;
	char hs[32];

	if (!lm_mem_get(&r->mem, MEM(RSS), &rss)) {
		fputs("It reserves address space, and normally no memory (this view has no memory fields to confirm it). ", f);
		return;
	}
	if (!rss) {
		fputs("It reserves address space and uses no memory. ", f);
		return;
	}
	human(hs, sizeof(hs), rss);
	fprintf(f, "It reserves address space, yet %s of it is resident: pages touched before it was made no-access. ", hs);
}

/* How much of @r is resident, private or shared, and swapped out. */
static void record_memory(FILE *f, const struct lm_rec *r)
{
	const struct lm_mem_stats *m = &r->mem;
	unsigned long long rss, pss, priv, shared, swap;
	char a[32], b[32], c[32];

	if (lm_role_id(r) == LM_ROLE_GAP) {
		gap_memory(f, r);
		return;
	}
	if (!lm_mem_get(m, MEM(RSS), &rss))
		return;
	if (!rss) {
		fputs("None of it is resident. ", f);
	} else {
		human(a, sizeof(a), rss);
		fprintf(f, "%s of it is resident", a);
		if (lm_mem_get(m, MEM(PRIVATE_CLEAN) | MEM(PRIVATE_DIRTY), &priv) &&
		    lm_mem_get(m, MEM(SHARED_CLEAN) | MEM(SHARED_DIRTY), &shared)) {
			human(b, sizeof(b), priv);
			human(c, sizeof(c), shared);
			fprintf(f, ": %s private to this process, %s shared with other mappings", b, c);
		}
		if (lm_mem_get(m, MEM(PSS), &pss)) {
			human(a, sizeof(a), pss);
			fprintf(f, " (PSS %s)", a);
		}
		fputs(". ", f);
	}
	if (lm_mem_get(m, MEM(SWAP), &swap) && swap) {
		human(a, sizeof(a), swap);
		fprintf(f, "%s of it is swapped out. ", a);
	}
}

static void explain_record(FILE *out, int n, const struct lm_rec *r,
			   const struct lm_rec *prev)
{
	char size[32];
	struct buf b;

	human(size, sizeof(size), r->end - r->start);
	buf_open(&b);
	fprintf(b.f, "Record %d, %08lx-%08lx %s, %s", n, r->start, r->end, r->perms, size);
	if (!r->lib)
		fprintf(b.f, " from file offset 0x%llx", r->offset);
	fprintf(b.f, ", is %s%s.", lm_bss_guess(r) ? "taken to be " : "",
		role_text(r));
	if (r->segment && r->elf_role)
		fprintf(b.f, " ELF: %s, %s.", r->segment, r->elf_note);
	else if (r->elf_note)
		fprintf(b.f, " %s.", r->elf_note);
	if (r->elf_role && r->elf_role_id != r->role_id)
		fprintf(b.f, " (The module, which cannot read the ELF headers, guessed '%s'.)", r->role);
	fputc(' ', b.f);
	record_memory(b.f, r);
	why_separate(b.f, r, prev);
	if (r->thp == 1)
		fprintf(b.f, "Transparent huge pages may back it (%s); %ld are mapped now.",
			r->thp_sizes ? r->thp_sizes : "2048K", r->pmd);
	else if (r->thp == 0 && r->thp_reason)
		fprintf(b.f, "Huge pages cannot back it: %s.",
			lm_thp_reason_text(r->thp_id));
	else if (r->thp == 0)
		fputs("Huge pages cannot back it (smaps' THPeligible is 0).", b.f);
	buf_para(out, &b);
}

static int cmp_start(const void *a, const void *b)
{
	const struct lm_rec *x = *(struct lm_rec * const *)a;
	const struct lm_rec *y = *(struct lm_rec * const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The library's RSS and PSS in this process, its bss included. */
static void group_memory(FILE *f, const struct lm_group *g)
{
	unsigned long long rss, pss;
	struct lm_mem_stats m;
	char a[32], b[32];

	lm_group_mem(g, &m);
	if (!lm_mem_get(&m, MEM(RSS), &rss) || !lm_mem_get(&m, MEM(PSS), &pss)) {
		fputs(" How much of it is resident is unknown here (the view has no memory fields).", f);
		return;
	}
	human(a, sizeof(a), rss);
	human(b, sizeof(b), pss);
	fprintf(f, " In this process %s of it is resident (RSS) and its proportional share (PSS: each page divided by the number of processes mapping it) is %s.", a, b);
	for (size_t i = 0; i < g->nr_extra; i++) {
		const struct lm_rec *r = g->extra[i];

		if (lm_lib_size(r) != r->end - r->start)
			fprintf(f, " That leaves out the record at %lx, whose bss shares one VMA with anonymous memory mapped after it: which of its pages are the bss's nobody can tell.",
				r->start);
	}
}

static void explain_group(FILE *out, const struct lm_proc *p, const struct lm_group *g)
{
	size_t n = g->nr + g->nr_extra, nthp = 0, nguess = 0;
	const struct lm_rec **recs = calloc(n, sizeof(*recs));
	unsigned long long size = 0;
	int counts[6] = { 0 };
	static const enum lm_role_id kinds[] = {
		LM_ROLE_TEXT, LM_ROLE_RODATA, LM_ROLE_RELRO, LM_ROLE_DATA,
		LM_ROLE_GAP, LM_ROLE_BSS,
	};
	char hs[32];
	struct buf b;

	if (!recs)
		return;
	for (size_t i = 0; i < g->nr; i++)
		recs[i] = g->recs[i];
	for (size_t i = 0; i < g->nr_extra; i++)
		recs[g->nr + i] = g->extra[i];
	qsort(recs, n, sizeof(*recs), cmp_start);
	for (size_t i = 0; i < n; i++) {
		size += lm_lib_size(recs[i]);
		nthp += recs[i]->thp == 1;
		nguess += lm_bss_guess(recs[i]);
		for (int k = 0; k < 6; k++)
			counts[k] += lm_role_id(recs[i]) == kinds[k];
	}
	human(hs, sizeof(hs), size);

	fprintf(out, "%s in process %d (%s)\n\n", g->name, (int)p->pid, p->comm ? p->comm : "?");
	buf_open(&b);
	fprintf(b.f, "This file is mapped by %zu record%s, %s in all. Each record is one VMA: a run of pages the kernel manages with one set of permissions and properties, and /proc/%d/maps prints one line per VMA.",
		n, n == 1 ? "" : "s", hs, (int)p->pid);
	if (counts[0] + counts[1] + counts[2] + counts[3] > 1)
		fputs(" The dynamic loader maps each PT_LOAD segment of the ELF file with the permissions that segment asks for, so code, read-only data and writable data can never share a record.", b.f);
	if (g->elf_status && !strcmp(g->elf_status, "not an ELF file")) {
		fputs(" It is not an ELF file: no program or library, so none of its records is a segment the loader mapped.", b.f);
	} else {
		const char *names[] = { "code", "read-only data", "RELRO", "writable data", "no-access alignment gap", "bss" };
		bool first = true;
		int last = -1;

		fprintf(b.f, " Here there %s", counts[0] == 1 ? "is" : "are");

		for (int k = 0; k < 6; k++)
			if (counts[k])
				last = k;
		for (int k = 0; k < 6; k++) {
			if (!counts[k])
				continue;
			fprintf(b.f, "%s %d %s record%s",
				first ? "" : k == last ? " and" : ",", counts[k],
				names[k], counts[k] == 1 ? "" : "s");
			first = false;
		}
		if (first)
			fputs(" no record the loader's segments explain", b.f);
		fputc('.', b.f);
	}
	if (nguess)
		fprintf(b.f, " The bss record%s only guessed from %s place right after the data segment, not checked against ELF.",
			nguess == 1 ? " is" : "s are",
			nguess == 1 ? "its" : "their");
	if (g->elf_status && strcmp(g->elf_status, "not an ELF file"))
		fprintf(b.f, " The ELF headers could not be used (%s), so the roles are the module's.", g->elf_status);
	group_memory(b.f, g);
	buf_para(out, &b);

	for (size_t i = 0; i < n; i++)
		explain_record(out, (int)i + 1, recs[i], i ? recs[i - 1] : NULL);

	buf_open(&b);
	if (recs[0]->perms[3] == 'p')
		fputs("The 'p' in the permissions means private: the process sees the file's pages, but any page it writes becomes its own copy (copy-on-write), so the file on disk never changes and untouched pages stay shared with every other process using the library.", b.f);
	else
		fputs("The 's' in the permissions means shared: writes go to the file's pages, which every process mapping it sees.", b.f);
	if (!nthp && !p->from_smaps)
		fputs(" None of the records can be backed by transparent huge pages; each paragraph above names the rule that refuses.", b.f);
	else if (nthp)
		fprintf(b.f, " %zu of the records may be backed by transparent huge pages.", nthp);
	buf_para(out, &b);
	free(recs);
}

int lm_explain(FILE *out, const struct lm_proc *p, const char *pattern)
{
	int n = 0;

	for (size_t i = 0; i < p->ngroups; i++) {
		const struct lm_group *g = &p->groups[i];

		if (!lm_group_is_file(g) || !lm_group_matches(g, pattern))
			continue;
		/* the caveat of the fallback, once */
		if (!n && p->from_smaps) {
			struct buf b;

			buf_open(&b);
			fprintf(b.f, "Without the libmaps module, this comes from /proc/%d/smaps, which does not say why records are kept apart or which rule keeps huge pages out.",
				(int)p->pid);
			buf_para(out, &b);
		}
		explain_group(out, p, g);
		n++;
	}
	return n;
}
