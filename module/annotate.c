// SPDX-License-Identifier: GPL-2.0
/*
 * What the copied VMAs mean together.  For now: which records belong to one
 * group (one mapped file, or one kind of anonymous or special mapping) and
 * in which order the groups are shown.  Everything here works on the
 * snapshot; no mm lock is held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "libmaps.h"

static const struct {
	const char *name;
	bool has_inode;	/* grouped by inode, shown with dev= and ino= */
} lm_kinds[LM_KIND_NR] = {
	[LM_KIND_FILE]		= { "file",		true },
	[LM_KIND_ANON_SHMEM]	= { "anon-shmem",	true },
	[LM_KIND_HEAP]		= { "heap",		false },
	[LM_KIND_STACK]		= { "stack",		false },
	[LM_KIND_VDSO]		= { "vdso",		false },
	[LM_KIND_VVAR]		= { "vvar",		false },
	[LM_KIND_VSYSCALL]	= { "vsyscall",		false },
	[LM_KIND_SPECIAL]	= { "special",		false },
	[LM_KIND_ANON_NAMED]	= { "anon-named",	false },
	[LM_KIND_ANON]		= { "anon",		false },
};

const char *lm_kind_name(enum lm_kind kind)
{
	return lm_kinds[kind].name;
}

bool lm_kind_has_inode(enum lm_kind kind)
{
	return lm_kinds[kind].has_inode;
}

/* File groups come first in the view, everything else after them. */
static int lm_half(const struct lm_vma *v)
{
	return v->kind == LM_KIND_FILE ? 0 : 1;
}

static int lm_cmp_ulong(unsigned long a, unsigned long b)
{
	return a < b ? -1 : a > b;
}

/* Do @a and @b belong to different groups?  Orders the groups if so. */
static int lm_group_cmp(const struct lm_vma *a, const struct lm_vma *b)
{
	int ret;

	ret = lm_half(a) - lm_half(b);
	if (ret)
		return ret;
	ret = (int)a->kind - (int)b->kind;
	if (ret)
		return ret;
	if (lm_kind_has_inode(a->kind))
		return lm_cmp_ulong((unsigned long)file_inode(a->file),
				    (unsigned long)file_inode(b->file));
	if (a->name || b->name)
		return strcmp(a->name ?: "", b->name ?: "");
	return 0;
}

static int lm_member_cmp(const void *pa, const void *pb)
{
	const struct lm_vma *a = *(const struct lm_vma **)pa;
	const struct lm_vma *b = *(const struct lm_vma **)pb;

	return lm_group_cmp(a, b) ?: lm_cmp_ulong(a->start, b->start);
}

struct lm_group_sort {
	const struct lm_vma **order;
};

/* Groups: file groups first, each half by the lowest address it maps. */
static int lm_group_order_cmp(const void *pa, const void *pb, const void *priv)
{
	const struct lm_group *a = pa, *b = pb;
	const struct lm_group_sort *s = priv;
	const struct lm_vma *va = s->order[a->first];
	const struct lm_vma *vb = s->order[b->first];

	return lm_half(va) - lm_half(vb) ?: lm_cmp_ulong(va->start, vb->start);
}

/**
 * lm_groups_build - group the VMAs of @snap
 * @snap: the snapshot
 * @g: filled in; release with lm_groups_release()
 *
 * Every VMA lands in exactly one group; the members of a group are in
 * address order and the groups in the order Documentation/view.rst gives.
 */
int lm_groups_build(const struct lm_snapshot *snap, struct lm_groups *g)
{
	const struct lm_vma **sorted;
	struct lm_group_sort s;
	struct lm_group *grp;
	unsigned int i, n = snap->nr, nr = 0, pos = 0;

	memset(g, 0, sizeof(*g));
	if (!n)
		return 0;

	sorted = kvmalloc_array(n, sizeof(*sorted), GFP_KERNEL_ACCOUNT);
	g->order = kvmalloc_array(n, sizeof(*g->order), GFP_KERNEL_ACCOUNT);
	g->groups = kvmalloc_array(n, sizeof(*g->groups), GFP_KERNEL_ACCOUNT);
	if (!sorted || !g->order || !g->groups) {
		kvfree(sorted);
		lm_groups_release(g);
		return -ENOMEM;
	}

	for (i = 0; i < n; i++)
		sorted[i] = &snap->vmas[i];
	sort(sorted, n, sizeof(*sorted), lm_member_cmp, NULL);

	for (i = 0; i < n; i++) {
		if (!i || lm_group_cmp(sorted[i - 1], sorted[i])) {
			grp = &g->groups[nr++];
			grp->kind = sorted[i]->kind;
			grp->first = i;
			grp->nr = 0;
			grp->size = 0;
		}
		grp->nr++;
		grp->size += sorted[i]->end - sorted[i]->start;
	}

	s.order = sorted;
	sort_r(g->groups, nr, sizeof(*g->groups), lm_group_order_cmp, NULL, &s);

	/* Lay the members out in group order so each group is one run. */
	for (i = 0; i < nr; i++) {
		grp = &g->groups[i];
		memcpy(&g->order[pos], &sorted[grp->first],
		       grp->nr * sizeof(*sorted));
		grp->first = pos;
		pos += grp->nr;
	}
	g->nr = nr;
	kvfree(sorted);
	return 0;
}

void lm_groups_release(struct lm_groups *g)
{
	kvfree(g->order);
	kvfree(g->groups);
	memset(g, 0, sizeof(*g));
}
