// SPDX-License-Identifier: GPL-2.0
/*
 * What the tool works out from views, apart from how it prints it
 * (model.h): --lib's selection, a group's records, --summary's rows and
 * --lib's total.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "xalloc.h"

static unsigned long long pmd_size;
static bool pmd_size_known;

unsigned long long lm_pmd_size(void)
{
	if (!pmd_size_known) {
		char *s = lm_slurp("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
				   NULL);

		pmd_size = s ? strtoull(s, NULL, 10) : 0;
		free(s);
		pmd_size_known = true;
	}
	return pmd_size;
}

void lm_pmd_size_set(unsigned long long size)
{
	pmd_size = size;
	pmd_size_known = true;
}

static const char *base_name(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

bool lm_group_matches(const struct lm_group *g, const char *pattern)
{
	if (!pattern)
		return true;
	if (strpbrk(pattern, "*?["))
		return !fnmatch(pattern, g->name, 0) ||
		       !fnmatch(pattern, base_name(g->name), 0);
	return strstr(base_name(g->name), pattern) ||
	       !strcmp(g->name, pattern);
}

bool lm_group_selected(const struct lm_group *g, const char *pattern)
{
	return !pattern || (lm_group_is_file(g) && lm_group_matches(g, pattern));
}

bool lm_proc_selected(const struct lm_proc *p, const char *pattern)
{
	if (!pattern)
		return true;
	for (size_t i = 0; i < p->ngroups; i++)
		if (lm_group_selected(&p->groups[i], pattern))
			return true;
	return false;
}

size_t lm_group_shown(const struct lm_group *g, const struct lm_rec **out)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nr; i++)
		if (!g->recs[i]->lib)
			out[n++] = g->recs[i];
	for (size_t i = 0; i < g->nr_extra; i++)
		out[n++] = g->extra[i];
	return n;
}

void lm_recs_extent(const struct lm_rec *const *recs, size_t n,
		    unsigned long long *size, long long *huge)
{
	unsigned long long h = 0;
	bool known = true;

	*size = 0;
	for (size_t i = 0; i < n; i++) {
		const struct lm_rec *r = recs[i];

		*size += lm_lib_size(r);
		if (r->pmd < 0 ||
		    (r->pmd > 0 && lm_lib_size(r) < r->end - r->start))
			known = false;
		else
			h += (unsigned long long)r->pmd * lm_pmd_size();
	}
	*huge = known ? (long long)h : -1;
}

/* The sizes of the records group @g shows, bss included. */
static unsigned long long group_size(const struct lm_group *g)
{
	unsigned long long size = 0;

	for (size_t i = 0; i < g->nr; i++)
		if (!g->recs[i]->lib)
			size += lm_lib_size(g->recs[i]);
	for (size_t i = 0; i < g->nr_extra; i++)
		size += lm_lib_size(g->extra[i]);
	return size;
}

static void summary_add_group(struct lm_summary *s, const struct lm_proc *p,
			      const struct lm_group *g)
{
	struct lm_libsum *row = NULL;
	struct lm_mem_stats mem;

	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->rows[i].name, g->name))
			row = &s->rows[i];
	if (!row) {
		s->rows = xrealloc(s->rows, (s->n + 1) * sizeof(*s->rows));
		row = &s->rows[s->n++];
		memset(row, 0, sizeof(*row));
		row->name = xstrdup(g->name);
		row->last_pid = -1;
		lm_mem_zero(&row->mem);
	}
	if (row->last_pid != p->pid)
		row->procs++;
	row->last_pid = p->pid;
	row->records += g->nr + g->nr_extra;
	row->size += g->size;
	lm_group_mem(g, &mem);
	lm_mem_add(&row->mem, &mem);
	row->huge += g->huge;
	for (size_t i = 0; i < g->nr_extra; i++) {
		const struct lm_rec *r = g->extra[i];

		row->size += lm_lib_size(r);
		if (r->pmd > 0 && lm_lib_size(r) < r->end - r->start)
			row->huge_unknown = true;
		row->huge += (unsigned long long)(r->pmd > 0 ? r->pmd : 0) * lm_pmd_size();
	}
}

void lm_summary_add(struct lm_summary *s, const struct lm_proc *p,
		    const char *pattern)
{
	for (size_t i = 0; i < p->ngroups; i++) {
		const struct lm_group *g = &p->groups[i];

		if (lm_group_is_file(g) && lm_group_matches(g, pattern))
			summary_add_group(s, p, g);
	}
}

void lm_summary_free(struct lm_summary *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->rows[i].name);
	free(s->rows);
	s->rows = NULL;
	s->n = 0;
}

void lm_lib_total_add(struct lm_lib_total *t, const struct lm_proc *p,
		      const char *pattern)
{
	bool any = false;

	for (size_t i = 0; i < p->ngroups; i++) {
		const struct lm_group *g = &p->groups[i];
		struct lm_mem_stats mem;

		if (!lm_group_is_file(g) || !lm_group_matches(g, pattern))
			continue;
		lm_group_mem(g, &mem);
		lm_mem_add(&t->mem, &mem);
		t->size += group_size(g);
		any = true;
	}
	t->procs += any;
}
