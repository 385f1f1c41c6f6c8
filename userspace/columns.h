/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tool's output: one libsmartcols table, its columns declared once in
 * a static table (as util-linux's lsfd does) that also drives -o,
 * --list-columns and --help.
 */
#ifndef LIBMAPS_COLUMNS_H
#define LIBMAPS_COLUMNS_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"
#include "view.h"

enum lm_mode { LM_MODE_TREE, LM_MODE_LIST, LM_MODE_SUMMARY };

struct libscols_table;

struct lm_table {
	enum lm_mode mode;
	bool json, raw, noheadings, bytes, colors;
	bool notruncate;		/* -u: free text is never truncated */
	bool fallback;			/* smaps, not the module: its defaults */
	const char *lib;		/* --lib: only matching file groups */
	int cols[64];
	int ncols;
	struct libscols_table *tb;
	struct lm_summary sum;		/* --summary: one row per library */
	struct lm_lib_total total;	/* --lib: what the matches cost */
};

/*
 * @bytes as the size columns write it: "4K", "1.5M", "256M" (powers of
 * 1024), or with @exact the number of bytes.
 */
void lm_size_str(char *buf, size_t len, unsigned long long bytes, bool exact);
/* The mode's default columns. */
void lm_table_default_columns(struct lm_table *t);
/* -o LIST ("+LIST" appends); 0, or -1 naming the unknown column in @bad. */
int lm_table_parse_columns(struct lm_table *t, const char *list,
			   char *bad, size_t len);
void lm_table_init(struct lm_table *t);
/* Add a process: its groups and records (or, --summary, its libraries). */
void lm_table_add_proc(struct lm_table *t, const struct lm_proc *p);
/*
 * Print the table and free it.  With --lib, a last line (in JSON a
 * "total" member) sums the matching libraries over the processes added:
 * their PSS is what they cost the machine, as smem -m counts it.
 */
void lm_table_print(struct lm_table *t);
/* One line per column: name and what it shows. */
void lm_columns_help(FILE *out, const char *indent);
/* --list-columns: name, type and description, as a table (-J, -r). */
void lm_columns_list(bool json, bool raw);
/* Each mode's default columns, for --help. */
void lm_default_columns_help(FILE *out);

#endif /* LIBMAPS_COLUMNS_H */
