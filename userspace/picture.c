// SPDX-License-Identifier: GPL-2.0
/*
 * A picture of an address space: --svg FILE and --html FILE.
 *
 * One row per group (library, heap, stack ...), in the order of their
 * first addresses; one box per record, in address order from left to
 * right across all rows, so that a library's records and the gaps between
 * them line up as they lie in memory.  A 47-bit range cannot be drawn to
 * scale, so a box's width grows with the logarithm of its size and every
 * hole between records is a fixed narrow band labelled with its size.
 * Each box is coloured by the record's role; its lower part is shaded as
 * far as it is resident; a green rule under it marks that transparent huge
 * pages may back it, a dark one that PMD-mapped huge pages back it now.
 * Hovering a box shows the record as maps writes it and why it is so.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "explain.h"
#include "picture.h"
#include "xalloc.h"

#define LABEL_W		300	/* the group names' column */
#define ROW_H		28
#define TOP		40
#define HOLE_W		36	/* a hole between records, whatever its size */
#define FONT		11	/* px; a character is at most 0.62 of it wide */

static const char *const fills[LM_NR_ROLES] = {
	[LM_ROLE_TEXT] = "#4e79a7", [LM_ROLE_RODATA] = "#8cd17d",
	[LM_ROLE_RELRO] = "#9c755f", [LM_ROLE_DATA] = "#f28e2b",
	[LM_ROLE_BSS] = "#edc948", [LM_ROLE_GAP] = "#ffffff",
	[LM_ROLE_HEAP] = "#e15759", [LM_ROLE_STACK] = "#76b7b2",
	[LM_ROLE_ANON] = "#bab0ac", [LM_ROLE_ANON_NAMED] = "#d4a6c8",
	[LM_ROLE_FILE] = "#b07aa1", [LM_ROLE_SHMEM] = "#86bcb6",
	[LM_ROLE_MEMFD] = "#86bcb6", [LM_ROLE_VDSO] = "#ff9d9a",
	[LM_ROLE_VVAR] = "#ff9d9a",
};

static const char *fill_of(enum lm_role_id role)
{
	return fills[role] ? fills[role] : "#d7d7d7";
}

/* XML text: &, <, >, " escaped. */
static void xml(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* A box's width: 10 px for a page, 7 more for each doubling. */
static int box_width(unsigned long long size)
{
	double pages = (double)size / 4096;

	return 10 + (int)(7 * log2(pages < 1 ? 1 : pages));
}

static const struct lm_group *row_group(const struct lm_rec *r)
{
	return r->lib ? r->lib : r->group;
}

struct row {
	const struct lm_group *g;
	unsigned long first;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct lm_rec *x = *(const struct lm_rec * const *)a;
	const struct lm_rec *y = *(const struct lm_rec * const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void put_title(FILE *f, const struct lm_rec *r)
{
	const char *role = lm_role(r);
	unsigned long long rss;
	char size[16], res[16];

	lm_size_str(size, sizeof(size), r->end - r->start, false);
	fprintf(f, "<title>%08lx-%08lx %s %s, %s", r->start, r->end, r->perms,
		role, size);
	if (lm_mem_get(&r->mem, LM_MEM_BIT(LM_MEM_RSS), &rss)) {
		lm_size_str(res, sizeof(res), rss, false);
		fprintf(f, ", %s resident", res);
	}
	fputs("\n", f);
	xml(f, r->group && *r->group->name ? r->group->name : "[anon]");
	if (r->segment) {
		fputs("\nELF: ", f);
		xml(f, r->segment);
	}
	if (r->elf_note) {
		fputs("\n", f);
		xml(f, r->elf_note);
	}
	if (r->merge) {
		fputs("\nnot merged with the record before it: ", f);
		xml(f, r->merge);
	}
	if (r->thp == 1)
		fputs("\ntransparent huge pages may back it", f);
	else if (r->thp_reason) {
		fputs("\nno huge pages: ", f);
		xml(f, r->thp_id ? lm_thp_reason_text(r->thp_id) : r->thp_reason);
	}
	fputs("</title>", f);
}

int lm_picture(FILE *f, const struct lm_proc *p, bool html)
{
	struct row *rows = calloc(p->ngroups + 1, sizeof(*rows));
	const struct lm_rec **recs = calloc(p->nr + 1, sizeof(*recs));
	size_t nrows = 0;
	int width, x;

	if (!rows || !recs) {
		free(rows);
		free(recs);
		return -1;
	}
	/* the records by address (the view lists them by group) */
	for (size_t i = 0; i < p->nr; i++)
		recs[i] = &p->recs[i];
	qsort(recs, p->nr, sizeof(*recs), cmp_rec);
	/* the rows: each group that shows a record, by its first address */
	for (size_t i = 0; i < p->nr; i++) {
		const struct lm_group *g = row_group(recs[i]);
		size_t k;

		for (k = 0; k < nrows && rows[k].g != g; k++)
			;
		if (k == nrows) {
			rows[nrows].g = g;
			rows[nrows++].first = recs[i]->start;
		}
	}
	qsort(rows, nrows, sizeof(*rows), cmp_row);

	width = LABEL_W;
	for (size_t i = 0; i < p->nr; i++)
		width += box_width(recs[i]->end - recs[i]->start) +
			 (i && recs[i]->start > recs[i - 1]->end ? HOLE_W : 0);
	width += 20;

	if (html) {
		fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>libmaps: pid %d (",
			(int)p->pid);
		xml(f, p->comm);
		fputs(")</title>\n<style>body{font-family:sans-serif;margin:1em}"
		      ".map{overflow-x:auto}.key span{display:inline-block;margin-right:1em}"
		      ".key i{display:inline-block;width:1em;height:1em;border:1px solid #555;"
		      "vertical-align:middle;margin-right:.3em}</style>\n</head><body>\n", f);
		fprintf(f, "<h1>pid %d (", (int)p->pid);
		xml(f, p->comm);
		fprintf(f, "): %zu records</h1>\n<p class=\"key\">", p->nr);
		for (int i = 0; i < LM_NR_ROLES; i++)
			if (fills[i])
				fprintf(f, "<span><i style=\"background:%s\"></i>%s</span>",
					fills[i], lm_role_names[i]);
		fputs("<span><i style=\"background:#59a14f\"></i>THP may back it</span>"
		      "<span><i style=\"background:#1b5e20\"></i>huge pages back it</span>"
		      "</p>\n<p>A box's width grows with the logarithm of its size; each "
		      "hole between records is a narrow band labelled with its size. The "
		      "darker lower part of a box is resident. Hover a box for its record.</p>\n"
		      "<div class=\"map\">\n", f);
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
		"font-family=\"sans-serif\" font-size=\"%d\">\n", width,
		TOP + nrows * ROW_H + 10, FONT);
	fputs("<defs><pattern id=\"gap\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
	      "<path d=\"M0,6 L6,0\" stroke=\"#999\"/></pattern></defs>\n", f);
	/* the group names, one a row, cut to the column's width */
	for (size_t k = 0; k < nrows; k++) {
		const char *name = *rows[k].g->name ? rows[k].g->name : "[anon]";
		size_t len = strlen(name), max = (LABEL_W - 10) * 100 / (FONT * 62);

		fprintf(f, "<text class=\"label\" x=\"4\" y=\"%zu\">",
			TOP + k * ROW_H + ROW_H / 2 + FONT / 2 - 1);
		if (len > max) {
			fputs("…", f);
			xml(f, name + len - (max - 1));
		} else {
			xml(f, name);
		}
		fputs("<title>", f);
		xml(f, name);
		fputs("</title></text>\n", f);
	}
	/* the records, left to right in address order */
	x = LABEL_W;
	for (size_t i = 0; i < p->nr; i++) {
		const struct lm_rec *r = recs[i];
		const char *role = lm_role(r);
		enum lm_role_id id = lm_role_id(r);
		int w = box_width(r->end - r->start);
		unsigned long long rss;
		size_t k, y;

		if (i && r->start > recs[i - 1]->end) {
			char hs[16];

			lm_size_str(hs, sizeof(hs), r->start - recs[i - 1]->end, false);
			fprintf(f, "<g class=\"hole\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%zu\" "
				"stroke=\"#ccc\" stroke-dasharray=\"2,3\"/>"
				"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\" fill=\"#666\">%s</text>"
				"<title>a hole of %s: no record</title></g>\n",
				x + HOLE_W / 2, TOP - 4, x + HOLE_W / 2, TOP + nrows * ROW_H,
				x + HOLE_W / 2, TOP - 8, hs, hs);
			x += HOLE_W;
		}
		for (k = 0; k < nrows && rows[k].g != row_group(r); k++)
			;
		y = TOP + k * ROW_H + 3;
		fprintf(f, "<g class=\"rec\" data-start=\"%08lx\" data-role=\"%s\">", r->start, role);
		put_title(f, r);
		fprintf(f, "<rect x=\"%d\" y=\"%zu\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#444\"%s/>",
			x, y, w - 1, ROW_H - 8,
			id == LM_ROLE_GAP ? "url(#gap)" : fill_of(id),
			id == LM_ROLE_GAP ? " stroke-dasharray=\"3,2\"" : "");
		if (lm_mem_get(&r->mem, LM_MEM_BIT(LM_MEM_RSS), &rss) && rss) {
			double part = (double)rss / (double)(r->end - r->start);
			int h = (int)((ROW_H - 8) / 2.0 * (part > 1 ? 1 : part)) + 1;

			fprintf(f, "<rect x=\"%d\" y=\"%zu\" width=\"%d\" height=\"%d\" fill=\"#000\" opacity=\"0.3\"/>",
				x, y + ROW_H - 8 - h, w - 1, h);
		}
		if (r->thp == 1)
			fprintf(f, "<rect x=\"%d\" y=\"%zu\" width=\"%d\" height=\"3\" fill=\"%s\"/>",
				x, y + ROW_H - 7, w - 1, r->pmd > 0 ? "#1b5e20" : "#59a14f");
		/* the permissions, where the box has room for them */
		if (w - 4 >= 4 * FONT * 62 / 100)
			fprintf(f, "<text x=\"%d\" y=\"%zu\" text-anchor=\"middle\" fill=\"%s\">%s</text>",
				x + w / 2, y + (ROW_H - 8) / 2 + FONT / 2 - 1,
				id == LM_ROLE_TEXT || id == LM_ROLE_RELRO ? "#fff" : "#000",
				r->perms);
		fputs("</g>\n", f);
		x += w;
	}
	fputs("</svg>\n", f);
	if (html)
		fputs("</div>\n</body></html>\n", f);
	free(rows);
	free(recs);
	return ferror(f) ? -1 : 0;
}
