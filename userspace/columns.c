// SPDX-License-Identifier: GPL-2.0
/*
 * Filling the libsmartcols table: a tree (process, group, records), a
 * list (one record a line) or a summary (one library a line).
 */
#include <ctype.h>
#include <libsmartcols.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "explain.h"
#include "xalloc.h"

enum {
	COL_NAME, COL_PID, COL_COMM, COL_KIND, COL_START, COL_END, COL_PERMS,
	COL_OFFSET, COL_SIZE, COL_RECORDS, COL_ROLE, COL_SOURCE, COL_SEGMENT,
	COL_FLAGS, COL_VMFLAGS, COL_THP, COL_THPREASON, COL_THPSIZES, COL_PMD,
	COL_HUGE, COL_PAGESIZE, COL_MERGE, COL_DEV, COL_INODE, COL_PATH,
	COL_PROCS, COL_RSS, COL_PSS, COL_SWAP, COL_PRIVATE, COL_SHARED, COL_ANON,
	COL_SWAPPSS, COL_LOCKED, COL_PRIVDIRTY, COL_PRIVCLEAN, COL_SHDIRTY,
	COL_SHCLEAN, COL_MTHP, COL_CONT, COL_STATE, NCOLS
};

/* As lsblk's: a size is a string ("12K") by default, a number with -b. */
enum coltype { COLTYPE_STR, COLTYPE_SIZE };

/* What a column's cells are: --list-columns says it, as lsfd's does. */
static const char *type_name(int json, enum coltype type)
{
	if (type == COLTYPE_SIZE)
		return "<size>";
	switch (json) {
	case SCOLS_JSON_NUMBER:
		return "<integer>";
	case SCOLS_JSON_BOOLEAN_OPTIONAL:
		return "<boolean>";
	default:
		return "<string>";
	}
}

struct colinfo {
	const char *name;
	double whint;
	int flags;
	int json;
	const char *help;
	enum coltype type;
	unsigned int mem;	/* memory columns: the LM_MEM_BIT()s they sum */
};

#define MEMCOL(name, mask, help) \
	{ name, 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, help, COLTYPE_SIZE, mask }
#define M(x)	LM_MEM_BIT(LM_MEM_##x)

static const struct colinfo infos[NCOLS] = {
	[COL_NAME]	= { "NAME", 0.3, SCOLS_FL_TREE | SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING,
			    "process, library (or other group), or record address range" },
	[COL_PID]	= { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "process ID" },
	[COL_COMM]	= { "COMM", 0.1, 0, SCOLS_JSON_STRING, "command name" },
	[COL_KIND]	= { "KIND", 6, 0, SCOLS_JSON_STRING,
			    "group kind: file, heap, stack, vdso, anon, anon-named ..." },
	[COL_START]	= { "START", 12, 0, SCOLS_JSON_STRING,
			    "start address (hex, as /proc/<pid>/maps writes it)" },
	[COL_END]	= { "END", 12, 0, SCOLS_JSON_STRING,
			    "end address (hex, as /proc/<pid>/maps writes it)" },
	[COL_PERMS]	= { "PERMS", 4, 0, SCOLS_JSON_STRING, "permissions as in /proc/<pid>/maps" },
	[COL_OFFSET]	= { "OFFSET", 8, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "file offset (hex)" },
	[COL_SIZE]	= { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "size",
			    COLTYPE_SIZE },
	[COL_RECORDS]	= { "RECORDS", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "number of records (VMAs)" },
	[COL_ROLE]	= { "ROLE", 6, 0, SCOLS_JSON_STRING,
			    "what the record holds: text, rodata, relro, data, bss, gap, heap ..." },
	[COL_SOURCE]	= { "SOURCE", 6, 0, SCOLS_JSON_STRING,
			    "who decided the role: elf, module, or smaps (fallback)" },
	[COL_SEGMENT]	= { "SEGMENT", 0.1, SCOLS_FL_TRUNC, SCOLS_JSON_STRING,
			    "the ELF segment the record comes from, or why ELF could not tell" },
	[COL_FLAGS]	= { "FLAGS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "raw vm_flags (hex)" },
	[COL_VMFLAGS]	= { "VMFLAGS", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING,
			    "decoded vm_flags (smaps VmFlags mnemonics)" },
	[COL_THP]	= { "THP", 3, 0, SCOLS_JSON_BOOLEAN_OPTIONAL,
			    "transparent huge pages may back the record (smaps THPeligible)" },
	[COL_THPREASON]	= { "THP-REASON", 10, SCOLS_FL_TRUNC, SCOLS_JSON_STRING,
			    "eligible, or the kernel rule that refuses THP" },
	[COL_THPSIZES]	= { "THP-SIZES", 6, 0, SCOLS_JSON_STRING,
			    "huge page sizes that may back the record" },
	[COL_PMD]	= { "PMD", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "PMD-mapped huge pages backing it now" },
	[COL_HUGE]	= { "HUGE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "bytes mapped by PMD-sized huge pages now", COLTYPE_SIZE },
	[COL_PAGESIZE]	= { "PAGESIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "kernel page size (smaps KernelPageSize)", COLTYPE_SIZE },
	[COL_MERGE]	= { "MERGE", 8, SCOLS_FL_TRUNC, SCOLS_JSON_STRING,
			    "why the record is not one VMA with the record before it" },
	[COL_DEV]	= { "DEV", 5, 0, SCOLS_JSON_STRING, "device of the file (major:minor)" },
	[COL_INODE]	= { "INODE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "inode of the file" },
	[COL_PATH]	= { "PATH", 0.3, SCOLS_FL_NOEXTREMES | SCOLS_FL_TRUNC, SCOLS_JSON_STRING,
			    "file or group name" },
	[COL_PROCS]	= { "PROCS", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "number of processes (--summary)" },
	[COL_RSS]	= MEMCOL("RSS", M(RSS), "resident memory (smaps Rss)"),
	[COL_PSS]	= MEMCOL("PSS", M(PSS),
				 "proportional set size: resident, each page divided by its sharers (smaps Pss)"),
	[COL_SWAP]	= MEMCOL("SWAP", M(SWAP), "swapped out (smaps Swap)"),
	[COL_PRIVATE]	= MEMCOL("PRIVATE", M(PRIVATE_CLEAN) | M(PRIVATE_DIRTY),
				 "resident and mapped once (smaps Private_Clean + Private_Dirty)"),
	[COL_SHARED]	= MEMCOL("SHARED", M(SHARED_CLEAN) | M(SHARED_DIRTY),
				 "resident and mapped more than once (smaps Shared_Clean + Shared_Dirty)"),
	[COL_ANON]	= MEMCOL("ANON", M(ANON), "resident anonymous memory (smaps Anonymous)"),
	[COL_SWAPPSS]	= MEMCOL("SWAP-PSS", M(SWAP_PSS),
				 "swapped out, each page divided by its sharers (smaps SwapPss)"),
	[COL_LOCKED]	= MEMCOL("LOCKED", M(LOCKED), "PSS of mlock()ed memory (smaps Locked)"),
	[COL_PRIVDIRTY]	= MEMCOL("PRIVATE-DIRTY", M(PRIVATE_DIRTY), "smaps Private_Dirty"),
	[COL_PRIVCLEAN]	= MEMCOL("PRIVATE-CLEAN", M(PRIVATE_CLEAN), "smaps Private_Clean"),
	[COL_SHDIRTY]	= MEMCOL("SHARED-DIRTY", M(SHARED_DIRTY), "smaps Shared_Dirty"),
	[COL_SHCLEAN]	= MEMCOL("SHARED-CLEAN", M(SHARED_CLEAN), "smaps Shared_Clean"),
	[COL_MTHP]	= { "MTHP", 6, 0, SCOLS_JSON_STRING,
			    "PTE-mapped large folios per size (64K:12,16K:3); - none" },
	[COL_CONT]	= { "CONT", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "bytes mapped by contiguous PTEs now (arm64's contpte)", COLTYPE_SIZE },
	[COL_STATE]	= { "STATE", 6, SCOLS_FL_TRUNC, SCOLS_JSON_STRING,
			    "a process with no address space, or one changed while read" },
};

/* A column's name, as -o takes it: any case, '_' for '-' (thp_reason). */
static int column_id(const char *name, size_t len)
{
	for (int i = 0; i < NCOLS; i++) {
		const char *c = infos[i].name;
		size_t k;

		if (strlen(c) != len)
			continue;
		for (k = 0; k < len; k++)
			if (tolower((unsigned char)c[k]) != tolower((unsigned char)name[k]) &&
			    !(c[k] == '-' && name[k] == '_'))
				break;
		if (k == len)
			return i;
	}
	return -1;
}

int lm_table_parse_columns(struct lm_table *t, const char *list,
			   char *bad, size_t len)
{
	const char *s = list;

	if (*s == '+')
		s++;
	else
		t->ncols = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		int id = column_id(s, n);

		if (id < 0) {
			snprintf(bad, len, "%.*s", (int)n, s);
			return -1;
		}
		if (t->ncols < (int)(sizeof(t->cols) / sizeof(*t->cols)))
			t->cols[t->ncols++] = id;
		s += n;
		if (*s == ',')
			s++;
	}
	return 0;
}

/*
 * The default columns of each mode fit 80 columns, as lsblk's do: the
 * free text (THP-REASON, MERGE, PATH) is truncated to fit a terminal
 * (-u does not).  Without the module, the columns only it can fill
 * (THP-REASON, MERGE) give way to what smaps tells (SEGMENT, THP).
 */
#define END_COLS	(-1)
static const int default_cols[][2][12] = {
	[LM_MODE_TREE] = {
		{ COL_NAME, COL_PERMS, COL_SIZE, COL_RSS, COL_PSS, COL_ROLE,
		  COL_THPREASON, COL_MERGE, END_COLS },
		{ COL_NAME, COL_PERMS, COL_SIZE, COL_RSS, COL_PSS, COL_ROLE,
		  COL_SEGMENT, COL_THP, END_COLS },
	},
	[LM_MODE_LIST] = {
		{ COL_PID, COL_START, COL_END, COL_PERMS, COL_SIZE, COL_RSS,
		  COL_ROLE, COL_MERGE, COL_PATH, END_COLS },
		{ COL_PID, COL_START, COL_END, COL_PERMS, COL_SIZE, COL_RSS,
		  COL_ROLE, COL_THP, COL_PATH, END_COLS },
	},
	[LM_MODE_SUMMARY] = {
		{ COL_PATH, COL_PROCS, COL_RECORDS, COL_SIZE, COL_HUGE, COL_RSS,
		  COL_PSS, END_COLS },
		{ COL_PATH, COL_PROCS, COL_RECORDS, COL_SIZE, COL_HUGE, COL_RSS,
		  COL_PSS, END_COLS },
	},
};

static void add_column(struct lm_table *t, int id)
{
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i] == id)
			return;
	if (t->ncols < (int)(sizeof(t->cols) / sizeof(*t->cols)))
		t->cols[t->ncols++] = id;
}

void lm_table_default_columns(struct lm_table *t)
{
	const int *d = default_cols[t->mode][t->fallback];

	t->ncols = 0;
	for (int i = 0; d[i] != END_COLS; i++)
		t->cols[t->ncols++] = d[i];
}

void lm_default_columns_help(FILE *out)
{
	static const char *const modes[] = { "tree", "--list", "--summary" };

	fputs("Default columns (a second line: without the module):\n", out);
	for (int m = 0; m < 3; m++) {
		for (int f = 0; f < 2; f++) {
			const int *d = default_cols[m][f];

			if (f && !memcmp(d, default_cols[m][0], sizeof(default_cols[m][0])))
				break;
			fprintf(out, " %-10s", f ? "" : modes[m]);
			for (int i = 0; d[i] != END_COLS; i++)
				fprintf(out, "%s%s", i ? "," : "", infos[d[i]].name);
			fputc('\n', out);
		}
	}
}

void lm_table_init(struct lm_table *t)
{
	const char *names[] = { "processes", "records", "libraries" };

	/*
	 * JSON: a process's pid, command and state are members of their own,
	 * whatever -o says, since the process's name is only its command.
	 */
	if (t->json && t->mode == LM_MODE_TREE) {
		add_column(t, COL_PID);
		add_column(t, COL_COMM);
		add_column(t, COL_STATE);
	}
	t->tb = scols_new_table();
	if (!t->tb)
		lm_die_nomem();
	scols_table_set_name(t->tb, names[t->mode]);
	lm_mem_zero(&t->total.mem);
	scols_table_enable_json(t->tb, t->json);
	scols_table_enable_raw(t->tb, t->raw);
	scols_table_enable_noheadings(t->tb, t->noheadings);
	scols_table_enable_colors(t->tb, t->colors);
	for (int i = 0; i < t->ncols; i++) {
		const struct colinfo *ci = &infos[t->cols[i]];
		int flags = ci->flags;
		struct libscols_column *cl;

		if (t->mode != LM_MODE_TREE)
			flags &= ~SCOLS_FL_TREE;
		if (t->notruncate)
			flags &= ~SCOLS_FL_TRUNC;
		cl = scols_table_new_column(t->tb, ci->name, ci->whint, flags);
		if (!cl)
			lm_die_nomem();
		if (t->json)
			scols_column_set_json_type(cl, ci->type == COLTYPE_SIZE &&
						   !t->bytes ? SCOLS_JSON_STRING : ci->json);
	}
}

/*
 * @v in @base, at least @digits digits, ending at @end; returns where it
 * starts.  A record's cells are numbers written this way rather than by
 * vasprintf(): there are hundreds of thousands of them.
 */
static char *utoa(char *end, unsigned long long v, unsigned int base, int digits)
{
	char *s = end;

	do {
		*--s = "0123456789abcdef"[v % base];
		v /= base;
	} while (v || end - s < digits);
	return s;
}

void lm_size_str(char *buf, size_t len, unsigned long long bytes, bool exact)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	char num[24], *s;
	int u = 0;

	num[sizeof(num) - 1] = '\0';
	if (exact) {
		s = utoa(num + sizeof(num) - 1, bytes, 10, 1);
		snprintf(buf, len, "%s", s);
		return;
	}
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	/* a whole number of units (0B, 4K, 256M): what "%.0f" prints */
	if (bytes < 1ULL << 53 && !(bytes & ((1ULL << (10 * u)) - 1))) {
		num[sizeof(num) - 2] = units[u];
		s = utoa(num + sizeof(num) - 2, bytes >> (10 * u), 10, 1);
		snprintf(buf, len, "%s", s);
	} else if (v >= 10 || v == (unsigned long long)v) {
		snprintf(buf, len, "%.0f%c", v, units[u]);
	} else {
		snprintf(buf, len, "%.1f%c", v, units[u]);
	}
}

static void size_str(const struct lm_table *t, char *buf, size_t len,
		     unsigned long long bytes)
{
	lm_size_str(buf, len, bytes, t->bytes);
}

static void set(struct libscols_line *ln, int i, const char *s)
{
	if (s && scols_line_set_data(ln, i, s))
		lm_die_nomem();
}

static void setf(struct libscols_line *ln, int i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void setf(struct libscols_line *ln, int i, const char *fmt, ...)
{
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		lm_die_nomem();
	va_end(ap);
	if (scols_line_refer_data(ln, i, s))
		lm_die_nomem();
}

static void set_num(struct libscols_line *ln, int i, unsigned long long v,
		    unsigned int base, int digits)
{
	char buf[32];

	buf[sizeof(buf) - 1] = '\0';
	set(ln, i, utoa(buf + sizeof(buf) - 1, v, base, digits));
}

/* An address as /proc/<pid>/maps writes it: hex, at least 8 digits. */
#define ADDR_DIGITS	8

/* "start-end" */
static void set_range(struct libscols_line *ln, int i, const struct lm_rec *r)
{
	char buf[48], *s;

	buf[sizeof(buf) - 1] = '\0';
	s = utoa(buf + sizeof(buf) - 1, r->end, 16, ADDR_DIGITS);
	*--s = '-';
	set(ln, i, utoa(s, r->start, 16, ADDR_DIGITS));
}

/*
 * A phrase of the tool's own ("LOAD[0] r--"): with -r, words joined by
 * '_', so that raw output's only separator is the one between columns.
 */
static void set_words(const struct lm_table *t, struct libscols_line *ln,
		      int i, const char *s)
{
	char *w;

	if (!s || !t->raw || !strchr(s, ' ')) {
		set(ln, i, s);
		return;
	}
	w = strdup(s);
	if (!w)
		lm_die_nomem();
	for (char *c = w; *c; c++)
		if (*c == ' ')
			*c = '_';
	if (scols_line_refer_data(ln, i, w))
		lm_die_nomem();
}

static const char *group_label(const struct lm_group *g)
{
	return *g->name ? g->name : "[anon]";
}

/* A memory column's cell: the sum of its fields, empty when unknown. */
static void set_mem(struct lm_table *t, struct libscols_line *ln, int i,
		    const struct lm_mem_stats *m)
{
	unsigned long long v;
	char buf[64];

	if (!m || !lm_mem_get(m, infos[t->cols[i]].mem, &v))
		return;
	size_str(t, buf, sizeof(buf), v);
	set(ln, i, buf);
}

static void fill_record(struct lm_table *t, struct libscols_line *ln,
			const struct lm_proc *p, const struct lm_rec *r)
{
	const struct lm_group *g = r->lib ? r->lib : r->group;
	char buf[64];

	for (int i = 0; i < t->ncols; i++) {
		if (infos[t->cols[i]].mem) {
			set_mem(t, ln, i, &r->mem);
			continue;
		}
		switch (t->cols[i]) {
		case COL_NAME:
			set_range(ln, i, r);
			break;
		case COL_PID:
			if (p->pid >= 0)
				set_num(ln, i, p->pid, 10, 1);
			else
				setf(ln, i, "%d", (int)p->pid);
			break;
		case COL_COMM:
			set(ln, i, p->comm);
			break;
		case COL_KIND:
			set(ln, i, r->group->kind);
			break;
		case COL_START:
			set_num(ln, i, r->start, 16, ADDR_DIGITS);
			break;
		case COL_END:
			set_num(ln, i, r->end, 16, ADDR_DIGITS);
			break;
		case COL_PERMS:
			set(ln, i, r->perms);
			break;
		case COL_OFFSET:
			set_num(ln, i, r->offset, 16, 8);
			break;
		case COL_SIZE:
			size_str(t, buf, sizeof(buf), r->end - r->start);
			set(ln, i, buf);
			break;
		case COL_ROLE:
			set(ln, i, lm_role(r));
			break;
		case COL_SOURCE:
			set(ln, i, r->elf_role ? "elf" : p->from_smaps ? "smaps" : "module");
			break;
		case COL_SEGMENT:
			set_words(t, ln, i, r->segment);
			break;
		case COL_FLAGS:
			if (r->has_flags)
				setf(ln, i, "0x%llx", r->flags);
			break;
		case COL_VMFLAGS:
			set(ln, i, r->decoded);
			break;
		case COL_THP:
			if (r->thp >= 0)
				set(ln, i, r->thp ? "yes" : "no");
			break;
		case COL_THPREASON:
			/* unknown without the module: empty, null in JSON */
			set(ln, i, r->thp_reason ? r->thp_reason :
				   r->thp == 1 ? "eligible" : NULL);
			if (t->colors && r->thp == 1) {
				struct libscols_cell *ce = scols_line_get_cell(ln, i);

				scols_cell_set_color(ce, "green");
			}
			break;
		case COL_THPSIZES:
			set(ln, i, r->thp_sizes);
			break;
		case COL_PMD:
			if (r->pmd >= 0)
				set_num(ln, i, r->pmd, 10, 1);
			break;
		case COL_HUGE:
			if (r->pmd >= 0) {
				size_str(t, buf, sizeof(buf),
					 (unsigned long long)r->pmd * lm_pmd_size());
				set(ln, i, buf);
			}
			break;
		case COL_PAGESIZE:
			size_str(t, buf, sizeof(buf),
				 (unsigned long long)r->pagesize_kb << 10);
			set(ln, i, buf);
			break;
		case COL_MERGE:
			set(ln, i, r->lib ? "no-file" : r->merge);
			break;
		case COL_DEV:
			if (g->has_inode && !r->lib)
				setf(ln, i, "%x:%x", g->major, g->minor);
			break;
		case COL_INODE:
			if (g->has_inode && !r->lib)
				set_num(ln, i, g->ino, 10, 1);
			break;
		case COL_PATH:
			set(ln, i, group_label(g));
			break;
		case COL_MTHP:
			if (r->mthp)
				set(ln, i, *r->mthp ? r->mthp : "-");
			break;
		case COL_CONT:
			if (r->cont >= 0) {
				size_str(t, buf, sizeof(buf), (unsigned long long)r->cont);
				set(ln, i, buf);
			}
			break;
		}
	}
}

static struct libscols_line *new_line(struct lm_table *t, struct libscols_line *parent)
{
	struct libscols_line *ln = scols_table_new_line(t->tb, parent);

	if (!ln)
		lm_die_nomem();
	return ln;
}

/*
 * A line that sums up records: a process, a group or (--summary) a
 * library.  NULL or negative fields are left empty.
 */
struct totals {
	const char *name, *path, *comm, *kind, *segment, *source, *state;
	pid_t pid;				/* 0: none */
	const struct lm_group *inode;		/* DEV, INODE from it */
	long long records, procs;		/* -1: none */
	unsigned long long size;
	long long huge;				/* bytes, -1: unknown */
	const struct lm_mem_stats *mem;		/* NULL: none */
};

static void fill_totals(struct lm_table *t, struct libscols_line *ln,
			const struct totals *o)
{
	char buf[64];

	for (int i = 0; i < t->ncols; i++) {
		if (infos[t->cols[i]].mem) {
			set_mem(t, ln, i, o->mem);
			continue;
		}
		switch (t->cols[i]) {
		case COL_NAME:
			set(ln, i, o->name);
			break;
		case COL_PATH:
			set(ln, i, o->path);
			break;
		case COL_PID:
			if (o->pid)
				setf(ln, i, "%d", (int)o->pid);
			break;
		case COL_COMM:
			set(ln, i, o->comm);
			break;
		case COL_KIND:
			set(ln, i, o->kind);
			break;
		case COL_SEGMENT:
			set_words(t, ln, i, o->segment);
			break;
		case COL_SOURCE:
			set(ln, i, o->source);
			break;
		case COL_STATE:
			set_words(t, ln, i, o->state);
			break;
		case COL_SIZE:
			size_str(t, buf, sizeof(buf), o->size);
			set(ln, i, buf);
			break;
		case COL_HUGE:
			if (o->huge >= 0) {
				size_str(t, buf, sizeof(buf), o->huge);
				set(ln, i, buf);
			}
			break;
		case COL_RECORDS:
			if (o->records >= 0)
				setf(ln, i, "%lld", o->records);
			break;
		case COL_PROCS:
			if (o->procs >= 0)
				setf(ln, i, "%lld", o->procs);
			break;
		case COL_DEV:
			if (o->inode && o->inode->has_inode)
				setf(ln, i, "%x:%x", o->inode->major, o->inode->minor);
			break;
		case COL_INODE:
			if (o->inode && o->inode->has_inode)
				setf(ln, i, "%llu", o->inode->ino);
			break;
		}
	}
}

static void add_group(struct lm_table *t, struct libscols_line *parent,
		      const struct lm_proc *p, const struct lm_group *g)
{
	const struct lm_rec **recs = xcalloc(g->nr + g->nr_extra + 1, sizeof(*recs));
	struct libscols_line *ln = NULL;
	unsigned long long size;
	long long huge;
	size_t n;

	n = lm_group_shown(g, recs);
	if (!n) {
		free(recs);
		return;
	}
	lm_recs_extent(recs, n, &size, &huge);
	if (t->mode == LM_MODE_TREE) {
		struct lm_mem_stats mem;
		struct totals o = {
			.name = group_label(g), .path = group_label(g),
			.pid = p->pid, .comm = p->comm, .kind = g->kind,
			.segment = g->elf_status, .inode = g,
			.records = (long long)n, .procs = -1, .size = size,
			.huge = huge, .mem = &mem,
		};

		lm_group_mem(g, &mem);
		ln = new_line(t, parent);
		if (t->colors)
			scols_line_set_color(ln, "bold");
		fill_totals(t, ln, &o);
	}
	for (size_t i = 0; i < n; i++)
		fill_record(t, new_line(t, ln), p, recs[i]);
	free(recs);
}

static void print_summary(struct lm_table *t)
{
	for (size_t r = 0; r < t->sum.n; r++) {
		const struct lm_libsum *s = &t->sum.rows[r];
		struct totals o = {
			.name = s->name, .path = s->name,
			.records = (long long)s->records, .procs = (long long)s->procs,
			.size = s->size,
			.huge = s->huge_unknown ? -1 : (long long)s->huge,
			.mem = &s->mem,
		};

		fill_totals(t, new_line(t, NULL), &o);
	}
}

void lm_table_add_proc(struct lm_table *t, const struct lm_proc *p)
{
	struct libscols_line *ln = NULL;

	if (t->lib)
		lm_lib_total_add(&t->total, p, t->lib);

	if (t->mode == LM_MODE_SUMMARY) {
		lm_summary_add(&t->sum, p, t->lib);
		return;
	}
	if (t->mode == LM_MODE_TREE) {
		const char *state = p->nomm ? "no address space" :
				    p->changed ? "changed while read" : NULL;
		char name[96];
		struct totals o = {
			.name = name, .pid = p->pid, .comm = p->comm,
			.source = p->from_smaps ? "smaps" : "module",
			.state = state,
			.records = (long long)p->nr, .procs = -1, .huge = -1,
			.mem = &p->mem,
		};

		for (size_t i = 0; i < p->nr; i++)
			o.size += p->recs[i].end - p->recs[i].start;
		/* JSON has pid, comm and state members: the name is the command */
		if (t->json)
			snprintf(name, sizeof(name), "%s", p->comm ? p->comm : "");
		else
			snprintf(name, sizeof(name), "%d %.32s%s%s%s", (int)p->pid,
				 p->comm ? p->comm : "", state ? " (" : "",
				 state ? state : "", state ? ")" : "");
		ln = new_line(t, NULL);
		fill_totals(t, ln, &o);
	}
	for (size_t i = 0; i < p->ngroups; i++) {
		const struct lm_group *g = &p->groups[i];

		if (lm_group_selected(g, t->lib))
			add_group(t, ln, p, g);
	}
}

/* --- loading a process --- */

static void print_lib_total_line(struct lm_table *t)
{
	char name[64];
	struct totals o = {
		.name = name, .path = "total", .records = -1,
		.procs = (long long)t->total.procs, .size = t->total.size,
		.huge = -1, .mem = &t->total.mem,
	};

	snprintf(name, sizeof(name), "total: %lu process%s", t->total.procs,
		 t->total.procs == 1 ? "" : "es");
	fill_totals(t, new_line(t, NULL), &o);
}

/* A member of the "total" object: a size as the columns print one. */
static void json_size(const struct lm_table *t, const char *key, bool known,
		      unsigned long long v, bool last)
{
	char buf[64];

	printf("      \"%s\": ", key);
	if (!known) {
		fputs("null", stdout);
	} else {
		size_str(t, buf, sizeof(buf), v);
		printf(t->bytes ? "%s" : "\"%s\"", buf);
	}
	fputs(last ? "\n" : ",\n", stdout);
}

/*
 * libsmartcols prints one table as { "<name>": [ ... ] }; the --lib
 * total is a member after it, so that "processes" stays a list of
 * processes.
 */
static void print_json_with_total(struct lm_table *t)
{
	char *s = NULL, *end;

	if (scols_print_table_to_string(t->tb, &s) || !s)
		lm_die_nomem();
	end = strrchr(s, '}');
	while (end && end > s && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	if (!end) {
		fputs(s, stdout);
		free(s);
		return;
	}
	printf("%.*s,\n   \"total\": {\n", (int)(end - s), s);
	printf("      \"processes\": %lu,\n", t->total.procs);
	json_size(t, "size", true, t->total.size, false);
	for (int i = 0; i < LM_NR_MEM; i++) {
		char key[32], *k;

		snprintf(key, sizeof(key), "%s", lm_mem_view_key(i));
		for (k = key; *k; k++)
			if (*k == '_')
				*k = '-';
		json_size(t, key, t->total.mem.known & LM_MEM_BIT(i),
			  t->total.mem.v[i], i == LM_NR_MEM - 1);
	}
	fputs("   }\n}\n", stdout);
	free(s);
}

void lm_table_print(struct lm_table *t)
{
	if (t->mode == LM_MODE_SUMMARY)
		print_summary(t);
	if (t->lib && !t->json)
		print_lib_total_line(t);
	if (t->lib && t->json)
		print_json_with_total(t);
	else
		scols_print_table(t->tb);
	scols_unref_table(t->tb);
	lm_summary_free(&t->sum);
	t->tb = NULL;
}

void lm_columns_help(FILE *out, const char *indent)
{
	int w = 0;

	for (int i = 0; i < NCOLS; i++)
		if ((int)strlen(infos[i].name) > w)
			w = (int)strlen(infos[i].name);
	for (int i = 0; i < NCOLS; i++)
		fprintf(out, "%s%*s  %s\n", indent, w, infos[i].name, infos[i].help);
}

/* --list-columns: a table of its own, honouring -J and -r (as lsfd's). */
void lm_columns_list(bool json, bool raw)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		lm_die_nomem();
	scols_table_set_name(tb, "columns");
	scols_table_enable_json(tb, json);
	scols_table_enable_raw(tb, raw);
	scols_table_enable_noheadings(tb, !json);
	if (!scols_table_new_column(tb, "NAME", 0, 0) ||
	    !scols_table_new_column(tb, "TYPE", 0, 0) ||
	    !scols_table_new_column(tb, "DESCRIPTION", 0, 0))
		lm_die_nomem();
	for (int i = 0; i < NCOLS; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln || scols_line_set_data(ln, 0, infos[i].name) ||
		    scols_line_set_data(ln, 1, type_name(infos[i].json, infos[i].type)) ||
		    scols_line_set_data(ln, 2, infos[i].help))
			lm_die_nomem();
	}
	scols_print_table(tb);
	scols_unref_table(tb);
}
