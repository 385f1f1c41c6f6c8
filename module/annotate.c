// SPDX-License-Identifier: GPL-2.0
/*
 * What the VMAs mean: why a VMA is not merged with the one before it (the
 * kernel's merge rules, applied while snapshot.c holds the mmap lock), and,
 * on the snapshot with no lock held, each record's role, which records
 * belong to one group (one mapped file, or one kind of anonymous or special
 * mapping) and in which order the groups are shown.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
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

static const char * const lm_merge_names[LM_MERGE_NR] = {
	[LM_MERGE_FIRST]	= "first",
	[LM_MERGE_HOLE]		= "hole",
	[LM_MERGE_SPECIAL]	= "special",
	[LM_MERGE_MEMPOLICY]	= "mempolicy",
	[LM_MERGE_FLAGS]	= "flags",
	[LM_MERGE_FILE]		= "file",
	[LM_MERGE_CLOSE]	= "close",
	[LM_MERGE_UFFD]		= "uffd",
	[LM_MERGE_ANON_NAME]	= "anon-name",
	[LM_MERGE_ANON_VMA]	= "anon-vma",
	[LM_MERGE_OFFSET]	= "offset",
	[LM_MERGE_MERGEABLE]	= "mergeable",
};

static const char * const lm_role_names[LM_ROLE_NR] = {
	[LM_ROLE_TEXT]		= "text",
	[LM_ROLE_RODATA]	= "rodata",
	[LM_ROLE_RELRO]		= "relro",
	[LM_ROLE_DATA]		= "data",
	[LM_ROLE_BSS]		= "bss",
	[LM_ROLE_GAP]		= "gap",
	[LM_ROLE_HEAP]		= "heap",
	[LM_ROLE_STACK]		= "stack",
	[LM_ROLE_VDSO]		= "vdso",
	[LM_ROLE_VVAR]		= "vvar",
	[LM_ROLE_VSYSCALL]	= "vsyscall",
	[LM_ROLE_SPECIAL]	= "special",
	[LM_ROLE_ANON_NAMED]	= "anon-named",
	[LM_ROLE_ANON]		= "anon",
	[LM_ROLE_SHMEM]		= "shmem",
	[LM_ROLE_MEMFD]		= "memfd",
	[LM_ROLE_HUGETLB]	= "hugetlb",
	[LM_ROLE_DEVICE]	= "device",
	[LM_ROLE_FILE]		= "file",
};

const char *lm_merge_name(enum lm_merge merge)
{
	return lm_merge_names[merge];
}

const char *lm_role_name(enum lm_role role)
{
	return lm_role_names[role];
}

/*
 * mpol_equal() needs __mpol_equal(), which is not exported: compare what
 * it compares (mode, flags, the user nodemask of a policy that keeps it,
 * as mpol_store_user_nodemask() says, then home node and nodes).
 */
static bool lm_mpol_equal(struct mempolicy *a, struct mempolicy *b)
{
#ifdef CONFIG_NUMA
	if (a == b)
		return true;
	if (!a || !b)
		return false;
	if (a->mode != b->mode || a->flags != b->flags)
		return false;
	if ((a->flags & MPOL_MODE_FLAGS) &&
	    !nodes_equal(a->w.user_nodemask, b->w.user_nodemask))
		return false;
	return lm_mpol_nodes_equal(a, b);
#else
	return true;
#endif
}

static bool lm_name_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * is_mergeable_anon_vma(): two different anon_vmas never merge, and when
 * only one side has an anon_vma, it may not be one a fork child shares
 * with its parent (its anon_vma_chain is not singular): 6.1 and 6.12
 * test list_is_singular(), 7.x vma_is_fork_child().  Faults may add to
 * the chain under the mmap read lock; only the list head is read.
 */
static bool lm_anon_vma_apart(struct vm_area_struct *prev,
			      struct vm_area_struct *vma)
{
	struct vm_area_struct *owner;

	if (!prev->anon_vma && !vma->anon_vma)
		return false;
	if (prev->anon_vma && vma->anon_vma)
		return prev->anon_vma != vma->anon_vma;
	owner = prev->anon_vma ? prev : vma;
	return !list_is_singular(&owner->anon_vma_chain);
}

/* Does @rule keep @prev and @vma, two adjacent VMAs, apart? */
static bool lm_merge_apart(enum lm_merge rule, struct vm_area_struct *prev,
			   struct vm_area_struct *vma, vm_flags_t *diff)
{
	switch (rule) {
	case LM_MERGE_SPECIAL:
		return (prev->vm_flags | vma->vm_flags) & VM_SPECIAL;
	case LM_MERGE_MEMPOLICY:
		return !lm_mpol_equal(vma_policy(prev), vma_policy(vma));
	case LM_MERGE_FLAGS:
		*diff = (prev->vm_flags ^ vma->vm_flags) & ~LM_VM_IGNORE_MERGE;
		return *diff;
	case LM_MERGE_FILE:
		return prev->vm_file != vma->vm_file;
	case LM_MERGE_CLOSE:
		/*
		 * A VMA with a close() operation is never merged away, and
		 * merging two existing VMAs always removes one of them.
		 */
		return (prev->vm_ops && prev->vm_ops->close) ||
		       (vma->vm_ops && vma->vm_ops->close);
	case LM_MERGE_UFFD:
		return lm_vma_uffd_ctx(prev) != lm_vma_uffd_ctx(vma);
	case LM_MERGE_ANON_NAME:
		return !lm_name_eq(lm_vma_anon_name(prev),
				   lm_vma_anon_name(vma));
	case LM_MERGE_ANON_VMA:
		return lm_anon_vma_apart(prev, vma);
	case LM_MERGE_OFFSET:
		return prev->vm_pgoff + vma_pages(prev) != vma->vm_pgoff;
	default:
		return false;
	}
}

/* The merge rules in the order the running kernel tests them. */
static const u8 lm_merge_order[] = { LM_MERGE_ORDER };

/**
 * lm_merge_rule - why @vma is not one VMA with @prev, the VMA before it
 * @prev: the previous VMA in address order
 * @vma: the VMA
 * @diff: set to the differing flags for LM_MERGE_FLAGS
 *
 * The rules of vma_merge() (5.10, 6.1) and of is_mergeable_vma() and
 * vma_merge_existing_range() (mm/vma.c, 6.12+), in the kernel's own order
 * (LM_MERGE_ORDER); the first one that keeps the two apart is the answer.
 * The mmap lock is held, or both VMAs' read locks (LM_HAVE_VMA_READ).
 */
enum lm_merge lm_merge_rule(struct vm_area_struct *prev,
			    struct vm_area_struct *vma, vm_flags_t *diff)
{
	size_t i;

	lm_assert_vma_held(vma);

	if (prev->vm_end != vma->vm_start)
		return LM_MERGE_HOLE;
	for (i = 0; i < ARRAY_SIZE(lm_merge_order); i++)
		if (lm_merge_apart(lm_merge_order[i], prev, vma, diff))
			return lm_merge_order[i];
	return LM_MERGE_MERGEABLE;
}

/* The role of a private file record, from its protections. */
static enum lm_role lm_file_segment_role(const struct lm_vma *v)
{
	if (!(v->flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return LM_ROLE_GAP;
	if (v->flags & VM_EXEC)
		return LM_ROLE_TEXT;
	if (v->flags & VM_WRITE)
		return LM_ROLE_DATA;
	/* read-only, yet written to: relocated, then mprotect()ed */
	return v->anon_vma ? LM_ROLE_RELRO : LM_ROLE_RODATA;
}

static const u8 lm_kind_roles[LM_KIND_NR] = {
	[LM_KIND_HEAP]		= LM_ROLE_HEAP,
	[LM_KIND_STACK]		= LM_ROLE_STACK,
	[LM_KIND_VDSO]		= LM_ROLE_VDSO,
	[LM_KIND_VVAR]		= LM_ROLE_VVAR,
	[LM_KIND_VSYSCALL]	= LM_ROLE_VSYSCALL,
	[LM_KIND_SPECIAL]	= LM_ROLE_SPECIAL,
	[LM_KIND_ANON_NAMED]	= LM_ROLE_ANON_NAMED,
	[LM_KIND_ANON_SHMEM]	= LM_ROLE_SHMEM,
	[LM_KIND_ANON]		= LM_ROLE_ANON,
};

/* What @v is for. */
static enum lm_role lm_role(const struct lm_vma *v)
{
	if (v->flags & VM_HUGETLB)
		return LM_ROLE_HUGETLB;
	if (v->kind != LM_KIND_FILE && v->kind != LM_KIND_ANON &&
	    v->kind != LM_KIND_ANON_SHMEM)
		return lm_kind_roles[v->kind];
	if (v->flags & (VM_PFNMAP | VM_IO | VM_MIXEDMAP))
		return LM_ROLE_DEVICE;
	if (v->kind == LM_KIND_ANON) {
		/*
		 * Maybe the zero-filled rest of the data segment before it:
		 * a guess by adjacency (the module reads no ELF headers;
		 * the tool checks it against PT_LOAD).
		 */
		if (v->after_data && (v->flags & VM_WRITE))
			return LM_ROLE_BSS;
		return LM_ROLE_ANON;
	}
	if (v->kind == LM_KIND_ANON_SHMEM)
		return LM_ROLE_SHMEM;
	if (lm_file_is_memfd(v->file))
		return LM_ROLE_MEMFD;
	if (!(v->flags & VM_MAYSHARE))
		return lm_file_segment_role(v);
	if (lm_shmem_file(v->file))
		return LM_ROLE_SHMEM;
	return LM_ROLE_FILE;
}

const char *lm_kind_name(enum lm_kind kind)
{
	return lm_kinds[kind].name;
}

bool lm_kind_has_inode(enum lm_kind kind)
{
	return lm_kinds[kind].has_inode;
}

/* File groups come first in the view, everything else after them. */
static int lm_half(enum lm_kind kind)
{
	return kind == LM_KIND_FILE ? 0 : 1;
}

/*
 * Do @a and @b belong to one group?  One mapped inode under one name
 * (hard links stay apart), or one kind of memory with one name.
 */
static bool lm_same_group(const struct lm_vma *a, const struct lm_vma *b)
{
	if (a->kind != b->kind)
		return false;
	if (lm_kind_has_inode(a->kind)) {
		const struct path *pa = lm_file_user_path(a->file);
		const struct path *pb = lm_file_user_path(b->file);

		return file_inode(a->file) == file_inode(b->file) &&
		       pa->dentry == pb->dentry && pa->mnt == pb->mnt;
	}
	return lm_name_eq(a->name, b->name);
}

static u32 lm_group_hash(const struct lm_vma *v)
{
	if (lm_kind_has_inode(v->kind)) {
		const struct path *path = lm_file_user_path(v->file);

		return hash_ptr(file_inode(v->file), 32) ^
		       hash_ptr(path->dentry, 32) ^ hash_ptr(path->mnt, 32);
	}
	return v->name ? jhash(v->name, strlen(v->name), v->kind) : v->kind;
}

/* VMAs between two chances for another task to have the CPU. */
#define LM_RESCHED_VMAS	256

/*
 * Room for the groups as they are found: most maps have a few dozen
 * groups however many VMAs they have, so room for every VMA (112 bytes
 * each, a vmalloc() of 7 MiB for 65,000) is made only as groups come.
 */
#define LM_GROUPS_FIRST	64

static bool lm_groups_grow(struct lm_group **found, unsigned int *cap,
			   unsigned int n)
{
	unsigned int more_cap = min_t(unsigned long, 2UL * *cap, n);
	struct lm_group *more = kvmalloc_array(more_cap, sizeof(*more),
					       GFP_KERNEL_ACCOUNT);

	if (!more)
		return false;
	memcpy(more, *found, *cap * sizeof(*more));
	kvfree(*found);
	*found = more;
	*cap = more_cap;
	return true;
}

/**
 * lm_groups_build - group the VMAs of @snap
 * @snap: the snapshot
 * @g: filled in; release with lm_groups_release()
 *
 * Every VMA lands in exactly one group; the members of a group are in
 * address order and the groups in the order Documentation/view.rst gives:
 * file groups first, each half by the lowest address a group maps.  Each
 * VMA's role is decided on the way.  One pass in address order finds each
 * VMA's group in a hash table, creating the groups in the order of their
 * lowest addresses; a second pass lays the members out group by group.
 * The cost is linear in the number of VMAs.
 */
int lm_groups_build(struct lm_snapshot *snap, struct lm_groups *g)
{
	unsigned int n = snap->nr, nr = 0, i, k, half, pos, mask;
	unsigned int cap = min_t(unsigned int, n, LM_GROUPS_FIRST);
	struct lm_group *found = NULL, *grp;
	u32 *table = NULL, *member = NULL, h;
	struct lm_vma *v;
	int ret = -ENOMEM;

	memset(g, 0, sizeof(*g));
	if (!n)
		return 0;

	/* at most half full; slots hold a group index + 1, 0 when empty */
	mask = roundup_pow_of_two(2 * n) - 1;
	table = kvcalloc(mask + 1, sizeof(*table), GFP_KERNEL_ACCOUNT);
	member = kvmalloc_array(n, sizeof(*member), GFP_KERNEL_ACCOUNT);
	found = kvmalloc_array(cap, sizeof(*found), GFP_KERNEL_ACCOUNT);
	g->order = kvmalloc_array(n, sizeof(*g->order), GFP_KERNEL_ACCOUNT);
	if (!table || !member || !found || !g->order)
		goto out;

	for (i = 0; i < n; i++) {
		v = &snap->vmas[i];
		v->role = lm_role(v);
		for (h = lm_group_hash(v) & mask; table[h]; h = (h + 1) & mask)
			if (lm_same_group(&snap->vmas[found[table[h] - 1].first], v))
				break;
		if (!table[h]) {
			if (nr == cap && !lm_groups_grow(&found, &cap, n))
				goto out;
			grp = &found[nr];
			grp->kind = v->kind;
			grp->first = i;	/* for now: its first VMA */
			grp->nr = 0;
			grp->size = 0;
			grp->huge = 0;
			memset(&grp->mem, 0, sizeof(grp->mem));
			table[h] = ++nr;
		}
		member[i] = table[h] - 1;
		grp = &found[member[i]];
		grp->nr++;
		grp->size += v->end - v->start;
		grp->huge += v->pmd * PMD_SIZE;
		lm_mem_sum(&grp->mem, &v->mem);
		lm_mem_sum(&g->mem, &v->mem);
		if (!((i + 1) % LM_RESCHED_VMAS))
			cond_resched();
	}

	g->groups = kvmalloc_array(nr, sizeof(*g->groups), GFP_KERNEL_ACCOUNT);
	if (!g->groups)
		goto out;
	/* view order; table[] now maps a group's index in found[] to it */
	for (half = 0, k = 0, pos = 0; half < 2; half++) {
		for (i = 0; i < nr; i++) {
			if (lm_half(found[i].kind) != half)
				continue;
			table[i] = k;
			g->groups[k] = found[i];
			g->groups[k].first = pos;
			pos += found[i].nr;
			g->groups[k++].nr = 0;	/* counts the members laid out */
		}
	}
	for (i = 0; i < n; i++) {
		grp = &g->groups[table[member[i]]];
		g->order[grp->first + grp->nr++] = &snap->vmas[i];
	}
	g->nr = nr;
	ret = 0;
out:
	kvfree(table);
	kvfree(member);
	kvfree(found);
	if (ret)
		lm_groups_release(g);
	return ret;
}

void lm_groups_release(struct lm_groups *g)
{
	kvfree(g->order);
	kvfree(g->groups);
	memset(g, 0, sizeof(*g));
}
