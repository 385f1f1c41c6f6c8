// SPDX-License-Identifier: GPL-2.0
/*
 * libmaps - show why a process's memory map has the records it has
 *
 * Reads the view of the libmaps kernel module,
 * /sys/kernel/debug/libmaps/<pid>, refines its roles with the ELF headers
 * of the mapped files, and prints it as a tree, a table or JSON with
 * libsmartcols, in the conventions of util-linux's lsblk and lsfd.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libsmartcols.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf.h"
#include "explain.h"
#include "view.h"

#ifndef LIBMAPS_VERSION
#define LIBMAPS_VERSION "0.1"
#endif

enum {
	COL_NAME, COL_PID, COL_COMM, COL_KIND, COL_START, COL_END, COL_PERMS,
	COL_OFFSET, COL_SIZE, COL_RECORDS, COL_ROLE, COL_SOURCE, COL_SEGMENT,
	COL_FLAGS, COL_VMFLAGS, COL_THP, COL_THPREASON, COL_THPSIZES, COL_PMD,
	COL_HUGE, COL_PAGESIZE, COL_MERGE, COL_DEV, COL_INODE, COL_PATH,
	COL_PROCS, NCOLS
};

struct colinfo {
	const char *name;
	double whint;
	int flags;
	int json;
	const char *help;
};

static const struct colinfo infos[NCOLS] = {
	[COL_NAME]	= { "NAME", 0.3, SCOLS_FL_TREE | SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING,
			    "process, library (or other group), or record address range" },
	[COL_PID]	= { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "process ID" },
	[COL_COMM]	= { "COMM", 0.1, 0, SCOLS_JSON_STRING, "command name" },
	[COL_KIND]	= { "KIND", 6, 0, SCOLS_JSON_STRING,
			    "group kind: file, heap, stack, vdso, anon, anon-named ..." },
	[COL_START]	= { "START", 12, 0, SCOLS_JSON_STRING, "start address (hex)" },
	[COL_END]	= { "END", 12, 0, SCOLS_JSON_STRING, "end address (hex)" },
	[COL_PERMS]	= { "PERMS", 4, 0, SCOLS_JSON_STRING, "permissions as in /proc/<pid>/maps" },
	[COL_OFFSET]	= { "OFFSET", 8, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "file offset (hex)" },
	[COL_SIZE]	= { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "size" },
	[COL_RECORDS]	= { "RECORDS", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "number of records (VMAs)" },
	[COL_ROLE]	= { "ROLE", 6, 0, SCOLS_JSON_STRING,
			    "what the record holds: text, rodata, relro, data, bss, gap, heap ..." },
	[COL_SOURCE]	= { "SOURCE", 6, 0, SCOLS_JSON_STRING,
			    "who decided the role: elf, module, or smaps (fallback)" },
	[COL_SEGMENT]	= { "SEGMENT", 0.1, 0, SCOLS_JSON_STRING,
			    "the ELF segment the record comes from, or why ELF could not tell" },
	[COL_FLAGS]	= { "FLAGS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "raw vm_flags (hex)" },
	[COL_VMFLAGS]	= { "VMFLAGS", 0.2, 0, SCOLS_JSON_STRING,
			    "decoded vm_flags (smaps VmFlags mnemonics)" },
	[COL_THP]	= { "THP", 3, 0, SCOLS_JSON_BOOLEAN_OPTIONAL,
			    "transparent huge pages may back the record (smaps THPeligible)" },
	[COL_THPREASON]	= { "THP-REASON", 10, 0, SCOLS_JSON_STRING,
			    "eligible, or the kernel rule that refuses THP" },
	[COL_THPSIZES]	= { "THP-SIZES", 6, 0, SCOLS_JSON_STRING,
			    "huge page sizes that may back the record" },
	[COL_PMD]	= { "PMD", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "PMD-mapped huge pages backing it now" },
	[COL_HUGE]	= { "HUGE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "bytes mapped by PMD-sized huge pages now" },
	[COL_PAGESIZE]	= { "PAGESIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "kernel page size (smaps KernelPageSize)" },
	[COL_MERGE]	= { "MERGE", 8, 0, SCOLS_JSON_STRING,
			    "why the record is not one VMA with the record before it" },
	[COL_DEV]	= { "DEV", 5, 0, SCOLS_JSON_STRING, "device of the file (major:minor)" },
	[COL_INODE]	= { "INODE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "inode of the file" },
	[COL_PATH]	= { "PATH", 0.3, SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING,
			    "file or group name" },
	[COL_PROCS]	= { "PROCS", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER,
			    "number of processes (--summary)" },
};

enum mode { MODE_TREE, MODE_LIST, MODE_SUMMARY };

struct ctl {
	enum mode mode;
	bool json, raw, noheadings, bytes, colors, explain, force_proc, no_elf;
	const char *lib;
	const char *input;
	int cols[NCOLS];
	int ncols;
	bool fallback_warned;
	struct libscols_table *tb;
	/* --summary: one row per library */
	struct sumrow {
		char *name;
		unsigned long procs, records;
		unsigned long long size, huge;
		pid_t last_pid;
	} *sum;
	size_t nsum;
};

static const char *prog = "libmaps";

static void __attribute__((noreturn)) usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	exit(2);
}

static void usage(void)
{
	printf("Usage:\n"
	       " %1$s [options] <pid>|self...\n"
	       " %1$s --explain <pid> [<library>]\n"
	       " %1$s --lib <pattern> [<pid>...]\n"
	       " %1$s --summary [<pid>...]\n\n"
	       "Show why a process's memory map has the records it has: each library's\n"
	       "records grouped, each record's role, why it is not merged with its\n"
	       "neighbour and whether transparent huge pages may back it.\n\n"
	       "Options:\n"
	       " -l, --list             a flat table, one record a line\n"
	       " -J, --json             JSON output\n"
	       " -r, --raw              raw output\n"
	       " -o, --output <list>    columns to print (+<list> adds to the default)\n"
	       " -n, --noheadings       no headings\n"
	       " -b, --bytes            sizes in bytes, not in human-readable form\n"
	       " -e, --explain          explain, in words, why each library has its records\n"
	       " -L, --lib <pattern>    every process that maps a matching library\n"
	       " -s, --summary          one line per library\n"
	       "     --color[=<when>]   colours: auto, always or never\n"
	       "     --proc             read /proc/<pid>/smaps even if the module is loaded\n"
	       "     --no-elf           keep the module's roles; do not read ELF headers\n"
	       "     --input <file>     read a saved view from <file> ('-': stdin)\n"
	       " -H, --list-columns     list the available columns\n"
	       " -h, --help             display this help\n"
	       " -V, --version          display version\n\n"
	       "Needs the libmaps module and CAP_SYS_ADMIN; without the module it falls\n"
	       "back to /proc/<pid>/smaps and marks what it cannot tell.\n"
	       "For more details see libmaps(8).\n", prog);
	exit(0);
}

static int column_id(const char *name, size_t len)
{
	for (int i = 0; i < NCOLS; i++)
		if (strlen(infos[i].name) == len && !strncasecmp(infos[i].name, name, len))
			return i;
	return -1;
}

static void parse_columns(struct ctl *ctl, const char *list)
{
	const char *s = list;

	if (*s == '+')
		s++;
	else
		ctl->ncols = 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		int id = column_id(s, len);

		if (id < 0) {
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)len, s);
			usage_error("unknown column: %s", name);
		}
		if (ctl->ncols < NCOLS)
			ctl->cols[ctl->ncols++] = id;
		s += len;
		if (*s == ',')
			s++;
	}
}

static void set_default_columns(struct ctl *ctl)
{
	static const int tree[] = { COL_NAME, COL_PERMS, COL_SIZE, COL_ROLE,
				    COL_SEGMENT, COL_THP, COL_THPREASON, COL_MERGE };
	static const int list[] = { COL_PID, COL_START, COL_END, COL_PERMS, COL_SIZE,
				    COL_ROLE, COL_THPREASON, COL_MERGE, COL_PATH };
	static const int summary[] = { COL_PATH, COL_PROCS, COL_RECORDS, COL_SIZE,
				       COL_HUGE };
	const int *d = ctl->mode == MODE_TREE ? tree :
		       ctl->mode == MODE_LIST ? list : summary;
	size_t n = ctl->mode == MODE_TREE ? sizeof(tree) / sizeof(*tree) :
		   ctl->mode == MODE_LIST ? sizeof(list) / sizeof(*list) :
		   sizeof(summary) / sizeof(*summary);

	for (size_t i = 0; i < n; i++)
		ctl->cols[i] = d[i];
	ctl->ncols = (int)n;
}

static void die_nomem(void)
{
	fprintf(stderr, "%s: out of memory\n", prog);
	exit(1);
}

static void init_table(struct ctl *ctl)
{
	const char *names[] = { "processes", "records", "libraries" };

	ctl->tb = scols_new_table();
	if (!ctl->tb)
		die_nomem();
	scols_table_set_name(ctl->tb, names[ctl->mode]);
	scols_table_enable_json(ctl->tb, ctl->json);
	scols_table_enable_raw(ctl->tb, ctl->raw);
	scols_table_enable_noheadings(ctl->tb, ctl->noheadings);
	scols_table_enable_colors(ctl->tb, ctl->colors);
	for (int i = 0; i < ctl->ncols; i++) {
		const struct colinfo *ci = &infos[ctl->cols[i]];
		int flags = ci->flags;
		struct libscols_column *cl;

		if (ctl->mode != MODE_TREE)
			flags &= ~SCOLS_FL_TREE;
		cl = scols_table_new_column(ctl->tb, ci->name, ci->whint, flags);
		if (!cl)
			die_nomem();
		if (ctl->json) {
			int type = ci->json;

			if ((ctl->cols[i] == COL_SIZE || ctl->cols[i] == COL_HUGE ||
			     ctl->cols[i] == COL_PAGESIZE) && !ctl->bytes)
				type = SCOLS_JSON_STRING;
			scols_column_set_json_type(cl, type);
		}
	}
}

static void size_str(const struct ctl *ctl, char *buf, size_t len,
		     unsigned long long bytes)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	int u = 0;

	if (ctl->bytes) {
		snprintf(buf, len, "%llu", bytes);
		return;
	}
	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluB", bytes);
	else if (v >= 10 || v == (unsigned long long)v)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
}

static void set(struct libscols_line *ln, int i, const char *s)
{
	if (s && scols_line_set_data(ln, i, s))
		die_nomem();
}

static void setf(struct libscols_line *ln, int i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void setf(struct libscols_line *ln, int i, const char *fmt, ...)
{
	char *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die_nomem();
	va_end(ap);
	if (scols_line_refer_data(ln, i, s))
		die_nomem();
}

static const char *group_label(const struct lm_group *g)
{
	return *g->name ? g->name : "[anon]";
}

static void fill_record(struct ctl *ctl, struct libscols_line *ln,
			const struct lm_proc *p, const struct lm_rec *r)
{
	const struct lm_group *g = r->lib ? r->lib : r->group;
	char buf[64];

	for (int i = 0; i < ctl->ncols; i++) {
		switch (ctl->cols[i]) {
		case COL_NAME:
			setf(ln, i, "%lx-%lx", r->start, r->end);
			break;
		case COL_PID:
			setf(ln, i, "%d", (int)p->pid);
			break;
		case COL_COMM:
			set(ln, i, p->comm);
			break;
		case COL_KIND:
			set(ln, i, r->group->kind);
			break;
		case COL_START:
			setf(ln, i, "%lx", r->start);
			break;
		case COL_END:
			setf(ln, i, "%lx", r->end);
			break;
		case COL_PERMS:
			set(ln, i, r->perms);
			break;
		case COL_OFFSET:
			setf(ln, i, "%08llx", r->offset);
			break;
		case COL_SIZE:
			size_str(ctl, buf, sizeof(buf), r->end - r->start);
			set(ln, i, buf);
			break;
		case COL_ROLE:
			set(ln, i, lm_role(r));
			break;
		case COL_SOURCE:
			set(ln, i, r->elf_role ? "elf" : p->from_smaps ? "smaps" : "module");
			break;
		case COL_SEGMENT:
			set(ln, i, r->segment);
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
			set(ln, i, r->thp_reason ? r->thp_reason :
				   r->thp == 1 ? "eligible" : "?");
			if (ctl->colors && r->thp == 1) {
				struct libscols_cell *ce = scols_line_get_cell(ln, i);

				scols_cell_set_color(ce, "green");
			}
			break;
		case COL_THPSIZES:
			set(ln, i, r->thp_sizes);
			break;
		case COL_PMD:
			if (r->pmd >= 0)
				setf(ln, i, "%ld", r->pmd);
			break;
		case COL_HUGE:
			if (r->pmd >= 0) {
				size_str(ctl, buf, sizeof(buf),
					 (unsigned long long)r->pmd << 21);
				set(ln, i, buf);
			}
			break;
		case COL_PAGESIZE:
			size_str(ctl, buf, sizeof(buf),
				 (unsigned long long)r->pagesize_kb << 10);
			set(ln, i, buf);
			break;
		case COL_MERGE:
			set(ln, i, r->lib ? "no-file" : r->merge ? r->merge : "?");
			break;
		case COL_DEV:
			if (g->has_inode && !r->lib)
				setf(ln, i, "%x:%x", g->major, g->minor);
			break;
		case COL_INODE:
			if (g->has_inode && !r->lib)
				setf(ln, i, "%llu", g->ino);
			break;
		case COL_PATH:
			set(ln, i, group_label(g));
			break;
		}
	}
}

static struct libscols_line *new_line(struct ctl *ctl, struct libscols_line *parent)
{
	struct libscols_line *ln = scols_table_new_line(ctl->tb, parent);

	if (!ln)
		die_nomem();
	return ln;
}

/* Records a group shows: its own, less bss moved to its library, plus its bss. */
static size_t group_shown(const struct lm_group *g, const struct lm_rec **out)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nr; i++)
		if (!g->recs[i]->lib)
			out[n++] = g->recs[i];
	for (size_t i = 0; i < g->nr_extra; i++)
		out[n++] = g->extra[i];
	return n;
}

static void add_group(struct ctl *ctl, struct libscols_line *parent,
		      const struct lm_proc *p, const struct lm_group *g)
{
	const struct lm_rec **recs = calloc(g->nr + g->nr_extra + 1, sizeof(*recs));
	unsigned long long size = 0, huge = 0;
	struct libscols_line *ln = NULL;
	bool known = true;
	size_t n;
	char buf[64];

	if (!recs)
		die_nomem();
	n = group_shown(g, recs);
	if (!n) {
		free(recs);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size += recs[i]->end - recs[i]->start;
		if (recs[i]->pmd < 0)
			known = false;
		else
			huge += (unsigned long long)recs[i]->pmd << 21;
	}
	if (ctl->mode == MODE_TREE) {
		ln = new_line(ctl, parent);
		if (ctl->colors)
			scols_line_set_color(ln, "bold");
		for (int i = 0; i < ctl->ncols; i++) {
			switch (ctl->cols[i]) {
			case COL_NAME:
			case COL_PATH:
				set(ln, i, group_label(g));
				break;
			case COL_PID:
				setf(ln, i, "%d", (int)p->pid);
				break;
			case COL_COMM:
				set(ln, i, p->comm);
				break;
			case COL_KIND:
				set(ln, i, g->kind);
				break;
			case COL_SIZE:
				size_str(ctl, buf, sizeof(buf), size);
				set(ln, i, buf);
				break;
			case COL_RECORDS:
				setf(ln, i, "%zu", n);
				break;
			case COL_HUGE:
				if (known) {
					size_str(ctl, buf, sizeof(buf), huge);
					set(ln, i, buf);
				}
				break;
			case COL_SEGMENT:
				set(ln, i, g->elf_status);
				break;
			case COL_DEV:
				if (g->has_inode)
					setf(ln, i, "%x:%x", g->major, g->minor);
				break;
			case COL_INODE:
				if (g->has_inode)
					setf(ln, i, "%llu", g->ino);
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		fill_record(ctl, new_line(ctl, ln), p, recs[i]);
	free(recs);
}

static void add_summary(struct ctl *ctl, const struct lm_proc *p,
			const struct lm_group *g)
{
	struct sumrow *row = NULL;

	if (!lm_group_is_file(g))
		return;
	for (size_t i = 0; i < ctl->nsum; i++)
		if (!strcmp(ctl->sum[i].name, g->name))
			row = &ctl->sum[i];
	if (!row) {
		struct sumrow *s = realloc(ctl->sum, (ctl->nsum + 1) * sizeof(*s));

		if (!s)
			die_nomem();
		ctl->sum = s;
		row = &s[ctl->nsum++];
		memset(row, 0, sizeof(*row));
		row->name = strdup(g->name);
		row->last_pid = -1;
		if (!row->name)
			die_nomem();
	}
	if (row->last_pid != p->pid)
		row->procs++;
	row->last_pid = p->pid;
	row->records += g->nr + g->nr_extra;
	row->size += g->size;
	row->huge += g->huge;
	for (size_t i = 0; i < g->nr_extra; i++) {
		row->size += g->extra[i]->end - g->extra[i]->start;
		row->huge += (unsigned long long)(g->extra[i]->pmd > 0 ? g->extra[i]->pmd : 0) << 21;
	}
}

static void print_summary(struct ctl *ctl)
{
	char buf[64];

	for (size_t r = 0; r < ctl->nsum; r++) {
		struct libscols_line *ln = new_line(ctl, NULL);
		struct sumrow *s = &ctl->sum[r];

		for (int i = 0; i < ctl->ncols; i++) {
			switch (ctl->cols[i]) {
			case COL_NAME:
			case COL_PATH:
				set(ln, i, s->name);
				break;
			case COL_PROCS:
				setf(ln, i, "%lu", s->procs);
				break;
			case COL_RECORDS:
				setf(ln, i, "%lu", s->records);
				break;
			case COL_SIZE:
				size_str(ctl, buf, sizeof(buf), s->size);
				set(ln, i, buf);
				break;
			case COL_HUGE:
				size_str(ctl, buf, sizeof(buf), s->huge);
				set(ln, i, buf);
				break;
			}
		}
		free(s->name);
	}
}

static void add_proc(struct ctl *ctl, const struct lm_proc *p)
{
	struct libscols_line *ln = NULL;
	char buf[64];

	if (ctl->mode == MODE_SUMMARY) {
		for (size_t i = 0; i < p->ngroups; i++)
			if (lm_group_matches(&p->groups[i], ctl->lib))
				add_summary(ctl, p, &p->groups[i]);
		return;
	}
	if (ctl->mode == MODE_TREE) {
		unsigned long long size = 0;

		for (size_t i = 0; i < p->nr; i++)
			size += p->recs[i].end - p->recs[i].start;
		ln = new_line(ctl, NULL);
		for (int i = 0; i < ctl->ncols; i++) {
			switch (ctl->cols[i]) {
			case COL_NAME:
				setf(ln, i, "%d %s%s", (int)p->pid, p->comm ? p->comm : "",
				     p->nomm ? " (no address space)" : "");
				break;
			case COL_PID:
				setf(ln, i, "%d", (int)p->pid);
				break;
			case COL_COMM:
				set(ln, i, p->comm);
				break;
			case COL_SIZE:
				size_str(ctl, buf, sizeof(buf), size);
				set(ln, i, buf);
				break;
			case COL_RECORDS:
				setf(ln, i, "%zu", p->nr);
				break;
			case COL_SOURCE:
				set(ln, i, p->from_smaps ? "smaps" : "module");
				break;
			}
		}
	}
	for (size_t i = 0; i < p->ngroups; i++) {
		const struct lm_group *g = &p->groups[i];

		if (ctl->lib && (!lm_group_is_file(g) || !lm_group_matches(g, ctl->lib)))
			continue;
		add_group(ctl, ln, p, g);
	}
}

/* --- loading a process --- */

static bool module_present(const char **why)
{
	struct stat st;

	if (!stat(LM_DEBUGFS, &st))
		return true;
	*why = errno == ENOENT ? "the libmaps module is not loaded (no " LM_DEBUGFS ")" :
	       errno == EACCES ? "cannot reach " LM_DEBUGFS ": permission denied (it needs root)" :
	       "cannot reach " LM_DEBUGFS;
	return false;
}

static const char *open_error(int err)
{
	switch (err) {
	case ENOENT:
		return "no such process";
	case ESRCH:
		return "the process exited";
	case EPERM:
		return "permission denied: reading the view needs CAP_SYS_ADMIN";
	case EACCES:
		return "permission denied";
	case EINTR:
		return "interrupted while waiting for the process's mmap lock";
	default:
		return strerror(err);
	}
}

static char *read_comm(pid_t pid)
{
	char path[64], *s;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	s = lm_slurp(path, NULL);
	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

/* 0, or -1 with a message on stderr (quiet: for --lib scans, say nothing). */
static int load(struct ctl *ctl, pid_t pid, struct lm_proc *p, bool quiet)
{
	char path[64], err[256];
	const char *why = NULL;
	char *text;

	if (!ctl->force_proc && module_present(&why)) {
		snprintf(path, sizeof(path), LM_DEBUGFS "/%d", (int)pid);
		text = lm_slurp(path, NULL);
		if (!text) {
			if (!quiet)
				fprintf(stderr, "%s: pid %d: %s\n", prog, (int)pid,
					open_error(errno));
			return -1;
		}
		if (lm_parse_view(text, p, err, sizeof(err))) {
			fprintf(stderr, "%s: pid %d: %s: %s\n", prog, (int)pid, path, err);
			free(text);
			return -1;
		}
		free(text);
	} else {
		if (why && !ctl->fallback_warned) {
			fprintf(stderr, "%s: %s; showing what /proc/<pid>/smaps tells (merge and THP reasons unknown)\n",
				prog, why);
			ctl->fallback_warned = true;
		}
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
		text = lm_slurp(path, NULL);
		if (!text) {
			if (!quiet)
				fprintf(stderr, "%s: pid %d: %s\n", prog, (int)pid,
					open_error(errno == ENOENT ? ENOENT : errno));
			return -1;
		}
		if (lm_parse_smaps(text, pid, p, err, sizeof(err))) {
			fprintf(stderr, "%s: pid %d: %s: %s\n", prog, (int)pid, path, err);
			free(text);
			return -1;
		}
		free(text);
		p->comm = read_comm(pid);
	}
	if (!ctl->no_elf)
		lm_elf_refine(p, true);
	return 0;
}

static int load_input(struct ctl *ctl, struct lm_proc *p)
{
	char err[256];
	char *text;

	text = lm_slurp(strcmp(ctl->input, "-") ? ctl->input : "/dev/stdin", NULL);
	if (!text) {
		fprintf(stderr, "%s: %s: %s\n", prog, ctl->input, strerror(errno));
		return -1;
	}
	if (lm_parse_view(text, p, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", prog, ctl->input, err);
		free(text);
		return -1;
	}
	free(text);
	if (!ctl->no_elf)
		lm_elf_refine(p, false);
	return 0;
}

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	if (!strcmp(s, "self")) {
		*pid = getpid();
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > 4194304)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/* Every pid in /proc, sorted. */
static pid_t *all_pids(size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t *pids = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		pid_t pid;

		if (parse_pid(de->d_name, &pid) || !strcmp(de->d_name, "self"))
			continue;
		if (*n == cap) {
			pid_t *np = realloc(pids, (cap = cap ? cap * 2 : 256) * sizeof(*np));

			if (!np)
				die_nomem();
			pids = np;
		}
		pids[(*n)++] = pid;
	}
	closedir(d);
	if (pids)
		qsort(pids, *n, sizeof(*pids), cmp_pid);
	return pids;
}

int main(int argc, char **argv)
{
	enum { OPT_COLOR = 256, OPT_PROC, OPT_NOELF, OPT_INPUT };
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "explain", no_argument, NULL, 'e' },
		{ "lib", required_argument, NULL, 'L' },
		{ "summary", no_argument, NULL, 's' },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "proc", no_argument, NULL, OPT_PROC },
		{ "no-elf", no_argument, NULL, OPT_NOELF },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "list-columns", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { .mode = MODE_TREE };
	const char *outarg = NULL, *color = "auto";
	bool list_columns = false;
	pid_t *pids = NULL;
	size_t npids = 0;
	int c, rc = 0;

	setlocale(LC_ALL, "");
	while ((c = getopt_long(argc, argv, "lJro:nbeL:sHhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			ctl.mode = MODE_LIST;
			break;
		case 'J':
			ctl.json = true;
			break;
		case 'r':
			ctl.raw = true;
			break;
		case 'o':
			outarg = optarg;
			break;
		case 'n':
			ctl.noheadings = true;
			break;
		case 'b':
			ctl.bytes = true;
			break;
		case 'e':
			ctl.explain = true;
			break;
		case 'L':
			ctl.lib = optarg;
			break;
		case 's':
			ctl.mode = MODE_SUMMARY;
			break;
		case OPT_COLOR:
			color = optarg ? optarg : "always";
			if (strcmp(color, "auto") && strcmp(color, "always") &&
			    strcmp(color, "never"))
				usage_error("unsupported color mode: %s", color);
			break;
		case OPT_PROC:
			ctl.force_proc = true;
			break;
		case OPT_NOELF:
			ctl.no_elf = true;
			break;
		case OPT_INPUT:
			ctl.input = optarg;
			break;
		case 'H':
			list_columns = true;
			break;
		case 'h':
			usage();
			break;
		case 'V':
			printf("%s %s\n", prog, LIBMAPS_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", prog);
			return 2;
		}
	}
	if (list_columns) {
		for (int i = 0; i < NCOLS; i++)
			printf("%10s  %s\n", infos[i].name, infos[i].help);
		return 0;
	}
	ctl.colors = !strcmp(color, "always") ||
		     (!strcmp(color, "auto") && isatty(STDOUT_FILENO) && !ctl.json && !ctl.raw);

	if (ctl.explain) {
		struct lm_proc p;
		const char *pattern;
		pid_t pid;

		if (ctl.input ? optind + 1 < argc : optind >= argc || optind + 2 < argc)
			usage_error("%s", "--explain takes a pid and an optional library");
		if (ctl.input) {
			pattern = optind < argc ? argv[optind] : NULL;
			if (load_input(&ctl, &p))
				return 1;
		} else {
			if (parse_pid(argv[optind], &pid))
				usage_error("not a pid: %s", argv[optind]);
			pattern = optind + 1 < argc ? argv[optind + 1] : NULL;
			if (load(&ctl, pid, &p, false))
				return 1;
		}
		if (!lm_explain(stdout, &p, pattern)) {
			fprintf(stderr, "%s: pid %d maps no file%s%s\n", prog, (int)p.pid,
				pattern ? " matching " : "", pattern ? pattern : "");
			rc = 1;
		}
		lm_proc_free(&p);
		return rc;
	}

	for (int i = optind; i < argc; i++) {
		pid_t pid;

		if (parse_pid(argv[i], &pid))
			usage_error("not a pid: %s", argv[i]);
		pids = realloc(pids, (npids + 1) * sizeof(*pids));
		if (!pids)
			die_nomem();
		pids[npids++] = pid;
	}
	if (ctl.input && npids)
		usage_error("%s", "--input takes no pids");
	if (!npids && !ctl.input) {
		if (!ctl.lib && ctl.mode != MODE_SUMMARY)
			usage_error("%s", "no pid given");
		pids = all_pids(&npids);
	}

	set_default_columns(&ctl);
	if (outarg)
		parse_columns(&ctl, outarg);
	init_table(&ctl);

	if (ctl.input) {
		struct lm_proc p;

		if (load_input(&ctl, &p)) {
			free(pids);
			return 1;
		}
		add_proc(&ctl, &p);
		lm_proc_free(&p);
	}
	/* A scan (--lib or --summary without pids) skips what vanished. */
	for (size_t i = 0; i < npids; i++) {
		bool scan = !optind || optind >= argc;
		struct lm_proc p;
		bool match = !ctl.lib;

		if (load(&ctl, pids[i], &p, scan)) {
			if (!scan)
				rc = 1;
			continue;
		}
		for (size_t g = 0; !match && g < p.ngroups; g++)
			match = lm_group_is_file(&p.groups[g]) &&
				lm_group_matches(&p.groups[g], ctl.lib);
		if (match)
			add_proc(&ctl, &p);
		lm_proc_free(&p);
	}
	if (ctl.mode == MODE_SUMMARY)
		print_summary(&ctl);
	scols_print_table(ctl.tb);
	scols_unref_table(ctl.tb);
	free(ctl.sum);
	free(pids);
	return rc;
}
